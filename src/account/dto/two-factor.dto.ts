import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsObject, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { MaxUtf8Bytes } from '../../common/decorators/max-utf8-bytes.decorator';
import { MAX_PASSWORD_BYTES } from '../../users/password-hasher.service';
import { CurrentPassword } from '../../users/dto/current-password';
import { invalidInput } from '../../common/openapi/error-responses';

/** The 400 example of a body with both factors: a second factor is `code` or `recovery_code`, never both (assertOneFactor's words). */
export const ONE_FACTOR_ONLY = invalidInput(
  'both code and recovery_code',
  'send either code or recovery_code, not both',
);

/** Authenticator apps show `123 456`; people type what they see. */
const WithoutSpaces = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.replace(/\s+/g, '') : value,
  );

const TotpCode = () =>
  Matches(/^\d{6}$/, { message: '$property must be the 6 digits the authenticator app shows' });

export class TwoFactorCodeDto {
  @ApiProperty({ example: '123456', description: 'The current code of the authenticator app.' })
  @WithoutSpaces()
  @IsString()
  @TotpCode()
  code!: string;
}

/** Turning two-factor on: the app's code, and the proof of who is asking. */
export class EnableTwoFactorDto extends TwoFactorCodeDto {
  @CurrentPassword()
  current_password?: string;
}

/** A second factor: `code` from the app, or one of the recovery codes. */
class SecondFactorDto {
  @ApiPropertyOptional({
    example: '123456',
    description: 'The current code of the authenticator app.',
  })
  // Not IsOptional, which lets null through: absent is fine, null is not a code.
  @ValidateIf((o: SecondFactorDto) => o.code !== undefined)
  @WithoutSpaces()
  @IsString()
  @TotpCode()
  code?: string;

  @ApiPropertyOptional({
    example: 'k3vq-8d2m-x7pa',
    description: 'Instead of `code`: one of the recovery codes (each works once).',
  })
  @ValidateIf((o: SecondFactorDto) => o.recovery_code !== undefined)
  @IsString()
  @MaxLength(32)
  recovery_code?: string;
}

export class VerifyTwoFactorDto extends SecondFactorDto {
  @ApiProperty({ description: 'The mfa_token the password step answered with.' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  mfa_token!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "Instead of `code`: a passkey's answer (`startAuthentication` of @simplewebauthn/browser) to the options of POST /auth/2fa/passkey/options.",
  })
  @ValidateIf((o: VerifyTwoFactorDto) => o.passkey !== undefined)
  @IsObject()
  passkey?: Record<string, unknown>;
}

export class DisableTwoFactorDto extends SecondFactorDto {
  @ApiProperty({ description: 'The account password.' })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_PASSWORD_BYTES)
  password!: string;
}

export class TwoFactorSetupResponse {
  @ApiProperty({
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    description: 'The secret in base32, to type in by hand.',
  })
  secret!: string;

  @ApiProperty({ example: 'otpauth://totp/Gatehouse:ada%40example.com?secret=…&issuer=Gatehouse' })
  otpauth_uri!: string;

  @ApiProperty({
    example: 'data:image/png;base64,iVBORw0…',
    description: 'The otpauth URI as a QR code (PNG).',
  })
  qr_code!: string;
}

export class RecoveryCodesResponse {
  @ApiProperty({
    type: [String],
    example: ['k3vq-8d2m-x7pa'],
    description:
      'Ten recovery codes, each usable once instead of a code. Shown only now: store them safely.',
  })
  recovery_codes!: string[];
}

export class TwoFactorStatusResponse {
  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  enabled_at!: Date | null;

  @ApiProperty({ example: 10 })
  recovery_codes_left!: number;
}

export class MfaChallengeResponse {
  @ApiProperty({ example: true })
  mfa_required!: true;

  @ApiProperty({
    description: 'POST it with a code to /auth/2fa/verify. Accepted nowhere else, and only once.',
  })
  mfa_token!: string;

  @ApiProperty({ example: 300, description: 'Seconds until the mfa_token expires.' })
  expires_in!: number;

  @ApiProperty({
    enum: ['totp', 'recovery_code', 'passkey'],
    isArray: true,
    example: ['totp', 'recovery_code', 'passkey'],
    description:
      'What the second step accepts for this account: `passkey` when it has one (POST /auth/2fa/passkey/options, then its answer as `passkey`).',
  })
  mfa_methods!: string[];
}
