import { Body, Controller, Header, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/domain-error';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';
import { ApiErrorResponse, UNKNOWN_FIELD } from '../common/openapi/error-responses';
import type { ClientInfo } from '../core/client-info';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { Client } from '../core/decorators/client-info.decorator';
import { Public } from '../core/decorators/public.decorator';
import {
  PasskeyLoginDto,
  PasskeySignInOptionsDto,
  WEBAUTHN_OPTIONS_SCHEMA,
} from '../passkeys/dto/passkey.dto';
import { PasskeysOn } from '../passkeys/passkeys-on.guard';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { AuthService } from './auth.service';
import { CookieEndpoint } from './cookie-mode/cookie-origin.guard';
import { AccessTokenResponse, RefreshCookie } from './cookie-mode/refresh-cookie';
import type { CookieResponse } from './cookie-mode/refresh-cookie';

/**
 * Signing in with a passkey: options for the browser, then its answer for the token pair. It
 * opens a session as `POST /auth/login` does, so it is the auth feature's; it sits in the
 * `passkeys` route group and tag beside the routes that manage them.
 */
@ApiTags('passkeys')
@ApiErrorResponse('Invalid input: `details` names each problem', UNKNOWN_FIELD)
@Authenticated()
@PasskeysOn()
@Controller('auth/passkeys/login')
@GatehouseRoute()
export class PasskeyLoginController {
  constructor(
    private readonly auth: AuthService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Public()
  @Post('options')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Start signing in with a passkey: the options for navigator.credentials.get()',
    description:
      "Without a body (or `email`), any passkey of this site may answer: the browser offers those it holds. With the `email` typed, only that account's passkeys are accepted; the answer is the same whether or not the address has an account. Pass the options to `startAuthentication({ optionsJSON })` of @simplewebauthn/browser and POST its result to /auth/passkeys/login.",
  })
  @ApiOkResponse({ schema: WEBAUTHN_OPTIONS_SCHEMA })
  @RateLimited()
  options(@Body() dto: PasskeySignInOptionsDto): Promise<object> {
    return this.auth.passkeyOptions(dto.email);
  }

  @Public()
  @Post()
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Sign in with a passkey: its answer to the challenge gives the token pair',
    description:
      'A passkey verified with user verification is two factors: no code is asked, two-factor on or not. The session is one like any other, and ends if the passkey is removed. In cookie mode (AUTH_COOKIE_MODE) the refresh token is set as an httpOnly cookie, and requests must come from an allowed Origin.',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiErrorResponse(
    'The challenge is unknown, used or expired: ask for new options',
    ErrorCode.InvalidPasskeyChallenge,
  )
  @ApiErrorResponse(
    'The answer does not verify, or names an unknown passkey or one this sign-in does not accept',
    ErrorCode.PasskeyRefused,
  )
  @ApiErrorResponse(
    'The account is disabled, or its email is not verified (AUTH_REQUIRE_VERIFIED_EMAIL)',
    ErrorCode.AccountDisabled,
    ErrorCode.EmailNotVerified,
  )
  @CookieEndpoint()
  @RateLimited()
  async login(
    @Body() dto: PasskeyLoginDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<TokenPairResponse | AccessTokenResponse> {
    return this.cookie.deliver(response, await this.auth.passkeyLogin(dto.response, client));
  }
}
