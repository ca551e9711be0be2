import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { AllowUnknownFields } from '../../common/pipes/gatehouse-validation.pipe';

/** RFC 7009 §2.1 and RFC 7662 §2.1 requests, form-encoded. Unknown parameters are ignored. */
@AllowUnknownFields()
export class PresentedTokenDto {
  @ApiProperty({ description: 'An access or refresh token issued by Gatehouse.' })
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  token!: string;

  @ApiPropertyOptional({
    enum: ['access_token', 'refresh_token'],
    description: 'Ignored: the token says what it is.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  token_type_hint?: string;
}

export class IntrospectionResponse {
  @ApiProperty() active!: boolean;
  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] }) token_type?: string;
  @ApiPropertyOptional() sub?: string;
  @ApiPropertyOptional() jti?: string;
  @ApiPropertyOptional({ description: 'Session id.' }) sid?: string;
  @ApiPropertyOptional({ type: [String] }) roles?: string[];
  @ApiPropertyOptional() iat?: number;
  @ApiPropertyOptional() exp?: number;
  @ApiPropertyOptional() iss?: string;
  @ApiPropertyOptional() aud?: string;
}
