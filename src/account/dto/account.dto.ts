import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { MIN_PASSWORD_LENGTH, NewPassword } from '../../users/decorators/password-policy.decorator';
import { MAX_PASSWORD_BYTES } from '../../users/password-hasher.service';
import { EmailField } from '../../users/dto/email-field';

/** A token from a mailed link: 32 random bytes in base64url. */
const LinkToken = () =>
  Matches(/^[A-Za-z0-9_-]{43}$/, {
    message: '$property must be the token from the link (43 characters)',
  });

const LINK_EXAMPLE = 'q3N0xV8bRk1Yp0ZwJ7mT4sLc9dHf2GaE6uWiKoPnB5y';

export class EmailDto {
  @EmailField({ address: true })
  email!: string;
}

export class VerifyEmailDto {
  // 43 characters, like a real one: the example passes validation (and is refused as unknown).
  @ApiProperty({ description: 'The `token` from the verification link.', example: LINK_EXAMPLE })
  @IsString()
  @LinkToken()
  token!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The `token` from the reset link.', example: LINK_EXAMPLE })
  @IsString()
  @LinkToken()
  token!: string;

  @ApiProperty({
    example: 'a new correct horse battery staple',
    minLength: MIN_PASSWORD_LENGTH,
    description: `The new password: at least ${MIN_PASSWORD_LENGTH} characters, at most ${MAX_PASSWORD_BYTES} bytes in UTF-8, not a common password.`,
  })
  @NewPassword()
  password!: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Also turn two-factor off: the way out of a second factor someone else enrolled. Only for a factor turned on within MFA_RESET_WINDOW (7 days); an older one answers 409 and the link stays usable.',
  })
  @IsOptional()
  @IsBoolean()
  remove_second_factor?: boolean;
}

/** The one answer of forgot and resend, whatever happened behind it. */
export class AcceptedResponse {
  @ApiProperty({
    example: 'If an account with this address needs it, a mail is on its way.',
  })
  message!: string;
}
