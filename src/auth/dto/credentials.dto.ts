import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { MaxUtf8Bytes } from '../../common/decorators/max-utf8-bytes.decorator';
import { EmailField } from '../../users/dto/email-field';
import { MIN_PASSWORD_LENGTH, NewPassword } from '../../users/decorators/password-policy.decorator';
import { MAX_PASSWORD_BYTES } from '../../users/password-hasher.service';

export class RegisterDto {
  @EmailField({ address: true })
  email!: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    minLength: MIN_PASSWORD_LENGTH,
    description: `At least ${MIN_PASSWORD_LENGTH} characters, at most ${MAX_PASSWORD_BYTES} bytes in UTF-8, not a common password.`,
  })
  @NewPassword()
  password!: string;
}

/** Login takes any string up to the limits: the rules of today must not lock out older accounts. */
export class LoginDto {
  @EmailField({ address: false })
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_PASSWORD_BYTES)
  password!: string;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last login or refresh. Cookie mode: omit it, the cookie carries it.',
  })
  // Required in bearer mode: RefreshCookie.tokenOf refuses its absence there.
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  refresh_token?: string;
}
