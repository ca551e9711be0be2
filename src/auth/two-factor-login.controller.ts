import { Body, Controller, Header, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ONE_FACTOR_ONLY, VerifyTwoFactorDto } from '../account/dto/two-factor.dto';
import { ErrorCode } from '../common/errors/domain-error';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';
import { ApiErrorResponse, UNKNOWN_FIELD } from '../common/openapi/error-responses';
import type { ClientInfo } from '../core/client-info';
import { Client } from '../core/decorators/client-info.decorator';
import { Public } from '../core/decorators/public.decorator';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { AuthService } from './auth.service';
import {
  PasskeySecondFactorOptionsDto,
  WEBAUTHN_OPTIONS_SCHEMA,
} from '../passkeys/dto/passkey.dto';
import { PASSKEYS_OFF } from '../passkeys/passkeys-on.guard';
import { CookieEndpoint } from './cookie-mode/cookie-origin.guard';
import { AccessTokenResponse, RefreshCookie } from './cookie-mode/refresh-cookie';
import type { CookieResponse } from './cookie-mode/refresh-cookie';

/**
 * The second step of a two-factor login. It issues a session as `POST /auth/login` does, so it
 * is the auth feature's; it sits in the `two-factor` route group and tag beside the routes that
 * turn the factor on and off.
 */
@ApiTags('two-factor')
@Authenticated()
@Controller('auth/2fa')
@GatehouseRoute()
export class TwoFactorLoginController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Public()
  @Post('verify')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    // The operationId it had when TwoFactorController served it: SDKs generated from the
    // document keep their method name.
    operationId: 'TwoFactorController_verify',
    summary: 'Second step of a two-factor login: the mfa_token and a code give the token pair',
    description:
      'Send `code` (from the authenticator app), `recovery_code`, or `passkey` (the answer to ' +
      'the options of POST /auth/2fa/passkey/options). A code is accepted once; ' +
      "wrong codes lock the account's two-factor step for a growing delay. In cookie mode the " +
      'refresh token is set as a cookie.',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  // Examples of the body Swagger UI fills "Try it out" with: one factor each, as the route
  // takes, where the schema's own examples would send both.
  @ApiBody({
    type: VerifyTwoFactorDto,
    examples: {
      'with a code from the app': {
        value: { mfa_token: 'the mfa_token POST /auth/login answered with', code: '123456' },
      },
      'with a recovery code': {
        value: {
          mfa_token: 'the mfa_token POST /auth/login answered with',
          recovery_code: 'k3vq-8d2m-x7pa',
        },
      },
      'with a passkey': {
        value: {
          mfa_token: 'the mfa_token POST /auth/login answered with',
          passkey: { id: '…', rawId: '…', type: 'public-key', response: {} },
        },
      },
    },
  })
  @ApiErrorResponse('Invalid input: `details` names each problem', ONE_FACTOR_ONLY, UNKNOWN_FIELD)
  @ApiErrorResponse(
    'The mfa_token or the code is invalid, expired or used, or the passkey does not verify',
    ErrorCode.InvalidMfaToken,
    ErrorCode.InvalidTwoFactorCode,
    ErrorCode.PasskeyRefused,
  )
  @ApiErrorResponse(
    "The passkey's challenge is unknown, used or expired",
    ErrorCode.InvalidPasskeyChallenge,
  )
  @ApiErrorResponse('The account was disabled in the meantime', ErrorCode.AccountDisabled)
  @CookieEndpoint()
  @RateLimited()
  async verify(
    @Body() dto: VerifyTwoFactorDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<TokenPairResponse | AccessTokenResponse> {
    const pair = await this.auth.completeMfaLogin(
      dto.mfa_token,
      { code: dto.code, recoveryCode: dto.recovery_code, passkey: dto.passkey },
      client,
    );
    return this.cookie.deliver(response, pair);
  }

  @Public()
  @Post('passkey/options')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "A passkey as the second factor: options listing the account's passkeys",
    description:
      'For a login that answered `mfa_methods` with `passkey`. Pass the options to ' +
      '`startAuthentication({ optionsJSON })` and POST its result as `passkey`, with the same ' +
      'mfa_token, to /auth/2fa/verify. The mfa_token is not spent here.',
  })
  @ApiOkResponse({ schema: WEBAUTHN_OPTIONS_SCHEMA })
  @ApiErrorResponse(
    'The mfa_token is invalid, expired or used, or the account has no passkey',
    ErrorCode.InvalidMfaToken,
    { code: ErrorCode.PasskeyRefused, message: 'This account has no passkey' },
  )
  @ApiErrorResponse('Passkeys are off (PASSKEYS=false)', {
    code: ErrorCode.NotFound,
    message: PASSKEYS_OFF,
  })
  @RateLimited()
  passkeyOptions(@Body() dto: PasskeySecondFactorOptionsDto): Promise<object> {
    return this.auth.passkeySecondFactorOptions(dto.mfa_token);
  }
}
