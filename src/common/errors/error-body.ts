import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './domain-error';

/** The JSON shape of every error answer (but the OAuth2 token endpoint's, see RFC 6749 §5.2). */
export class ErrorBody {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ example: 'Unauthorized', description: 'The HTTP reason phrase.' })
  error!: string;

  @ApiProperty({ enum: ErrorCode, example: ErrorCode.InvalidToken })
  code!: ErrorCode;

  @ApiProperty({ example: 'The access token is invalid, expired or revoked' })
  message!: string;

  @ApiPropertyOptional({ type: [String], example: ['email must be an email'] })
  details?: string[];

  @ApiPropertyOptional({ description: 'Quote it when reporting a server error.' })
  requestId?: string;
}
