import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { MaxUtf8Bytes } from '../../common/decorators/max-utf8-bytes.decorator';
import { normalizeEmail } from '../../users/users.service';
import { MIN_PASSWORD_LENGTH, NewPassword } from '../decorators/password-policy.decorator';
import { MAX_PASSWORD_BYTES } from '../password-hasher.service';

/**
 * Emails are compared in their stored form (see normalizeEmail); normalise before validating, so
 * the length limit applies to what is stored (lower-casing can lengthen a string: 'İ' → 'i̇').
 */
const NormalizeEmail = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeEmail(value) : value,
  );

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @NormalizeEmail()
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
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
  @ApiProperty({ example: 'ada@example.com' })
  @NormalizeEmail()
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_PASSWORD_BYTES)
  password!: string;
}

export class RefreshDto {
  @ApiPropertyOptional({
    description: 'The refresh token from the last login or refresh. Cookie mode: omit it, the cookie carries it.',
  })
  // Required in bearer mode: RefreshCookie.tokenOf refuses its absence there.
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  refresh_token?: string;
}
