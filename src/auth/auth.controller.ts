import {
  Body,
  Controller,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOAuth2,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiExtension,
  getSchemaPath,
} from '@nestjs/swagger';
import { AcceptedResponse } from '../account/dto/account.dto';
import { MfaChallengeResponse } from '../account/dto/two-factor.dto';
import { GatehouseConfig } from '../config/gatehouse-config';
import { ErrorCode } from '../common/errors/domain-error';
import type { ClientInfo } from '../core/client-info';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { UserResponse } from '../users/dto/user.response';
import type { GatehouseUser } from '../users/user-store';
import type { Caller } from '../core/auth-user';
import { AuthService, LoginResult, isMfaChallenge } from './auth.service';
import { RegistrationService } from './registration.service';
import { PasswordChangeService } from '../account/password-change.service';
import { AccountSessionsService } from '../tokens/account-sessions.service';
import { SessionIssuer } from '../tokens/session-issuer.service';
import { TOKEN_ENDPOINT_EXTENSION } from './openapi/extensions';
import {
  ApiErrorResponse,
  TOKEN_REFUSALS,
  UNKNOWN_FIELD,
  invalidInput,
} from '../common/openapi/error-responses';
import { CookieEndpoint } from './cookie-mode/cookie-origin.guard';
import { LogoutAuthGuard } from './cookie-mode/logout-auth.guard';
import { AccessTokenResponse, RefreshCookie } from './cookie-mode/refresh-cookie';
import type { CookieRequest, CookieResponse } from './cookie-mode/refresh-cookie';
import { Client } from '../core/decorators/client-info.decorator';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { Public } from '../core/decorators/public.decorator';
import { LoginDto, RefreshDto, RegisterDto } from './dto/credentials.dto';
import { ChangePasswordDto } from '../tokens/dto/session.dto';
import { TokenRequestDto } from './dto/token-request.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { OAuth2ExceptionFilter } from './oauth2/oauth2-exception.filter';
import { OAuth2TokenService } from './oauth2/oauth2-token.service';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

const COOKIE_MODE_NOTE =
  'In cookie mode (AUTH_COOKIE_MODE) the refresh token is set as an httpOnly cookie instead of ' +
  'being returned, and requests must come from an allowed Origin.';

@ApiTags('auth')
@ApiExtraModels(TokenPairResponse, MfaChallengeResponse)
@ApiErrorResponse('Invalid input: `details` names each problem', UNKNOWN_FIELD)
@Authenticated()
@Controller('auth')
@GatehouseRoute()
export class AuthController {
  private readonly quietRegistration: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly registration: RegistrationService,
    private readonly sessions: SessionIssuer,
    private readonly accountSessions: AccountSessionsService,
    private readonly passwordChange: PasswordChangeService,
    private readonly oauth2: OAuth2TokenService,
    private readonly cookie: RefreshCookie,
    config: GatehouseConfig,
  ) {
    this.quietRegistration = config.get('account', { infer: true }).quietRegistration;
  }

  @Public()
  @Post('register')
  @ApiOperation({
    summary: 'Create an account',
    description:
      'Mails a link that verifies the address (see POST /auth/email/verify). With ' +
      'AUTH_REGISTRATION_QUIET, answers 202 whether or not the address has an account, and mails ' +
      'its owner instead when it has.',
  })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiAcceptedResponse({
    description: 'AUTH_REGISTRATION_QUIET: whatever the address',
    type: AcceptedResponse,
  })
  @ApiErrorResponse(
    'Invalid input: `details` names each problem',
    invalidInput(
      'fields that break their rules',
      'email must be an email address',
      'password must be longer than or equal to 8 characters',
    ),
    UNKNOWN_FIELD,
  )
  @ApiErrorResponse('The email is already registered', ErrorCode.EmailTaken)
  @RateLimited()
  async register(
    @Body() dto: RegisterDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ): Promise<UserResponse | AcceptedResponse> {
    if (!this.quietRegistration) return this.registration.register(dto.email, dto.password, client);
    await this.registration.registerQuietly(dto.email, dto.password, client);
    response.status(HttpStatus.ACCEPTED);
    return { message: 'If this address can be registered, a mail is on its way: follow its link.' };
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Log in with email and password; returns an access + refresh pair',
    description:
      'With two-factor on, returns `{ mfa_required: true, mfa_token }` instead: POST the ' +
      'mfa_token with a code to /auth/2fa/verify for the pair. ' +
      COOKIE_MODE_NOTE,
  })
  @ApiOkResponse({
    description: 'The token pair, or the two-factor challenge',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(TokenPairResponse) },
        { $ref: getSchemaPath(MfaChallengeResponse) },
      ],
    },
  })
  @ApiErrorResponse(
    'Wrong email or password (the same answer for an address without an account)',
    ErrorCode.InvalidCredentials,
  )
  @ApiErrorResponse(
    'The account is disabled, or its email is not verified (AUTH_REQUIRE_VERIFIED_EMAIL)',
    ErrorCode.AccountDisabled,
    ErrorCode.EmailNotVerified,
  )
  @ApiErrorResponse('LOCKOUT_THRESHOLD failed logins in a row lock the account for a while', {
    code: ErrorCode.TooManyRequests,
    name: 'TOO_MANY_REQUESTS: account locked',
    message: 'Too many failed logins for this account; try again later',
  })
  @CookieEndpoint()
  @RateLimited()
  async login(
    @Body() _dto: LoginDto,
    // On this route the caller is the account LocalStrategy proved, not a bearer Caller.
    @CurrentUser() user: GatehouseUser,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<LoginResult | AccessTokenResponse> {
    const result = await this.auth.login(user, client);
    return isMfaChallenge(result) ? result : this.cookie.deliver(response, result);
  }

  @Public()
  @Post('token')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @UseFilters(OAuth2ExceptionFilter)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'OAuth2 token endpoint (RFC 6749): password and refresh_token grants',
    description:
      'What Swagger UI\'s "Authorize" password flow and OAuth2 client libraries call. ' +
      'Errors follow RFC 6749 §5.2: `{ "error": "invalid_grant", "error_description": "…" }`.',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiForbiddenResponse({
    description:
      'Two-factor is on: `{ "error": "mfa_required", "error_description", "mfa_token", ' +
      '"expires_in" }`. POST the mfa_token with a code to /auth/2fa/verify for the pair.',
  })
  @RateLimited()
  @ApiExtension(TOKEN_ENDPOINT_EXTENSION, true)
  token(@Body() dto: TokenRequestDto, @Client() client: ClientInfo): Promise<TokenPairResponse> {
    return this.oauth2.exchange(dto, client);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The refresh token is single use. Presenting one that was already exchanged revokes the ' +
      'whole session (RFC 9700 §4.14.2). In cookie mode the token comes from the cookie (the ' +
      'body may be `{}`) and the new one replaces it there.',
  })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiErrorResponse(
    'Invalid, expired or revoked; or reused, which ends the session',
    ErrorCode.InvalidRefreshToken,
    ErrorCode.RefreshTokenReused,
  )
  @CookieEndpoint()
  @RateLimited()
  async refresh(
    @Body() dto: RefreshDto,
    @Client() client: ClientInfo,
    @Req() request: CookieRequest,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<TokenPairResponse | AccessTokenResponse> {
    const pair = await this.sessions.refresh(
      this.cookie.tokenOf(request, dto.refresh_token),
      client,
    );
    return this.cookie.deliver(response, pair);
  }

  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Change the password; every other session is ended',
    description: 'The session making the request stays signed in.',
  })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiErrorResponse('The current password is wrong', ErrorCode.WrongCurrentPassword)
  @RateLimited()
  changePassword(
    @CurrentUser() caller: Caller,
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.passwordChange.change(caller, dto.current_password, dto.new_password, client);
  }

  // Public to the global guard: LogoutAuthGuard asks for the bearer token, or in cookie mode
  // accepts the refresh cookie instead (the access token may have expired in the page).
  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  // Listed as on every guarded route (applied bottom-up: bearer first).
  @ApiOAuth2([], 'oauth2')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: "End the caller's session: its access and refresh tokens stop working",
    description: 'In cookie mode the refresh cookie identifies the session too, and is cleared.',
  })
  @ApiNoContentResponse({ description: 'Logged out' })
  @ApiErrorResponse('Missing, invalid, expired or revoked access token', ...TOKEN_REFUSALS)
  @UseGuards(LogoutAuthGuard)
  @CookieEndpoint()
  async logout(
    @Req() request: CookieRequest & { user?: Caller },
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<void> {
    // The cookie names the session when there is one: LogoutAuthGuard admitted it on that basis.
    const cookie = this.cookie.enabled ? this.cookie.read(request) : undefined;
    if (cookie !== undefined) {
      await this.accountSessions.logoutWithRefreshToken(cookie, client);
    } else if (request.user) {
      await this.accountSessions.logout(request.user, client);
    }
    this.cookie.clear(response);
  }
}
