import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Client } from '../core/decorators/client-info.decorator';
import { Public } from '../core/decorators/public.decorator';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse, UNKNOWN_FIELD, invalidInput } from '../common/openapi/error-responses';
import type { ClientInfo } from '../core/client-info';
import { AcceptedResponse, EmailDto, ResetPasswordDto, VerifyEmailDto } from './dto/account.dto';
import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

const ACCEPTED: AcceptedResponse = {
  message: 'If an account with this address needs it, a mail is on its way.',
};

const LINK_REFUSED =
  'A link token that is invalid, used, superseded or expired, or invalid input (`details`)';
const NOT_A_LINK_TOKEN = invalidInput(
  'not a token from a link',
  'token must be the token from the link (43 characters)',
);

/** The mailed-link flows: proving an email address, and resetting a forgotten password. */
@ApiTags('account')
@ApiErrorResponse(
  'Invalid input: `details` names each problem',
  invalidInput('an address that is not one', 'email must be an email address'),
  UNKNOWN_FIELD,
)
@Authenticated()
@Controller('auth')
@GatehouseRoute()
export class AccountController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly reset: PasswordResetService,
  ) {}

  @Public()
  @Post('email/verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Verify the email address with the token of the mailed link',
    description:
      'The link is `APP_URL/verify-email#token=…`; the page POSTs the token here. It works once.',
  })
  @ApiNoContentResponse({ description: 'The address is verified' })
  @ApiErrorResponse(LINK_REFUSED, ErrorCode.InvalidOneTimeToken, NOT_A_LINK_TOKEN, UNKNOWN_FIELD)
  @RateLimited()
  async verifyEmail(@Body() dto: VerifyEmailDto, @Client() client: ClientInfo): Promise<void> {
    await this.verification.verify(dto.token, client);
  }

  @Public()
  @Post('email/resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Mail a new verification link',
    description:
      'Answers the same whether or not the address has an account (or is verified already). ' +
      'A new link voids the older ones; at most one per MAIL_RESEND_INTERVAL.',
  })
  @ApiAcceptedResponse({ type: AcceptedResponse })
  @RateLimited()
  resend(@Body() dto: EmailDto, @Client() client: ClientInfo): AcceptedResponse {
    this.verification.requestResend(dto.email, client);
    return ACCEPTED;
  }

  @Public()
  @Post('password/forgot')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Mail a password reset link',
    description:
      'Answers the same, in the same time, whether or not the address has an account. The link ' +
      '(`APP_URL/reset-password#token=…`) is valid for PASSWORD_RESET_TTL (30 minutes).',
  })
  @ApiAcceptedResponse({ type: AcceptedResponse })
  @RateLimited()
  forgot(@Body() dto: EmailDto, @Client() client: ClientInfo): AcceptedResponse {
    this.reset.request(dto.email, client);
    return ACCEPTED;
  }

  @Public()
  @Post('password/reset')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Set a new password with the token of the reset link',
    description:
      'Same password rules as registration. The token works once; every session of the account ' +
      'ends (old access and refresh tokens are refused) and a notification is mailed. With ' +
      '`remove_second_factor`, two-factor is turned off too, if it was turned on within ' +
      'MFA_RESET_WINDOW: the way out of a factor someone else enrolled.',
  })
  @ApiNoContentResponse({ description: 'The password is changed; log in with it' })
  @ApiErrorResponse(LINK_REFUSED, ErrorCode.InvalidOneTimeToken, NOT_A_LINK_TOKEN, UNKNOWN_FIELD)
  @ApiErrorResponse(
    'remove_second_factor: two-factor was turned on too long ago to be removed by a reset (the link stays usable)',
    ErrorCode.TwoFactorNotRemovable,
  )
  @RateLimited()
  async resetPassword(@Body() dto: ResetPasswordDto, @Client() client: ClientInfo): Promise<void> {
    await this.reset.reset(dto.token, dto.password, client, dto.remove_second_factor ?? false);
  }
}
