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

  @ApiPropertyOptional({
    description:
      'The request id, also sent as `X-Request-Id` and found on every log line of the request. ' +
      'Quote it when reporting a problem.',
    example: '0b6f3c1e-6d5a-4f3e-9a53-2f4d8c1e7b90',
  })
  requestId?: string;
}
