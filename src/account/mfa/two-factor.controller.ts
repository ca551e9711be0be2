import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  Res,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Caller } from '../../auth/auth-user';
import { AuthService } from '../../auth/auth.service';
import { CookieEndpoint } from '../../auth/cookie-mode/cookie-origin.guard';
import { AccessTokenResponse, RefreshCookie } from '../../auth/cookie-mode/refresh-cookie';
import type { CookieResponse } from '../../auth/cookie-mode/refresh-cookie';
import { Client } from '../../auth/decorators/client-info.decorator';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { Public } from '../../auth/decorators/public.decorator';
import { JwtAuthGuard } from '../../auth/guards/jwt-auth.guard';
import { RolesGuard } from '../../auth/guards/roles.guard';
import { ConfirmBody, ConfirmDto } from '../../auth/dto/current-password';
import { RateLimited } from '../../auth/throttling/rate-limited.decorator';
import { ErrorCode } from '../../common/errors/domain-error';
import { ApiErrorResponse, UNKNOWN_FIELD, invalidInput } from '../../auth/openapi/error-responses';
import { GatehouseValidationPipe } from '../../common/pipes/gatehouse-validation.pipe';
import type { ClientInfo } from '../../tokens/client-info';
import { TokenPairResponse } from '../../tokens/dto/token-pair.response';
import {
  DisableTwoFactorDto,
  RecoveryCodesResponse,
  EnableTwoFactorDto,
  TwoFactorSetupResponse,
  TwoFactorStatusResponse,
  VerifyTwoFactorDto,
} from '../dto/two-factor.dto';
import { TwoFactorAccountService } from './two-factor-account.service';
import { GatehouseRoute } from '../../common/http/gatehouse-route.decorator';

/** A second factor is `code` or `recovery_code`, never both (assertOneFactor's words). */
const ONE_FACTOR = invalidInput(
  'both code and recovery_code',
  'send either code or recovery_code, not both',
);

/** TOTP two-factor: turning it on and off for the signed-in user, and the login's second step. */
@ApiTags('two-factor')
@ApiErrorResponse('Invalid input: `details` names each problem', UNKNOWN_FIELD)
@UseGuards(JwtAuthGuard, RolesGuard)
@UsePipes(GatehouseValidationPipe)
@Controller('auth/2fa')
@GatehouseRoute()
export class TwoFactorController {
  constructor(
    private readonly account: TwoFactorAccountService,
    private readonly auth: AuthService,
    private readonly cookie: RefreshCookie,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether two-factor is on, and how many recovery codes are left' })
  @ApiOkResponse({ type: TwoFactorStatusResponse })
  async status(@CurrentUser() caller: Caller): Promise<TwoFactorStatusResponse> {
    const { enabled, enabledAt, recoveryCodesLeft } = await this.account.status(caller.sub);
    return { enabled, enabled_at: enabledAt, recovery_codes_left: recoveryCodesLeft };
  }

  @Post('setup')
  // These answers carry secrets (the TOTP seed, recovery codes, tokens): no cache may keep one.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Start two-factor setup: a new TOTP secret, its otpauth:// URI and a QR code',
    description:
      'Scan the QR code (or type the secret) into an authenticator app, then confirm with POST /auth/2fa/enable.',
  })
  @ApiCreatedResponse({ type: TwoFactorSetupResponse })
  @ApiErrorResponse('Two-factor is already on', ErrorCode.TwoFactorAlreadyEnabled)
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ApiErrorResponse('current_password is wrong', ErrorCode.WrongCurrentPassword)
  @ConfirmBody(ConfirmDto, {})
  @RateLimited()
  async setup(
    @CurrentUser() caller: Caller,
    @Body() dto: ConfirmDto,
    @Client() client: ClientInfo,
  ): Promise<TwoFactorSetupResponse> {
    const { secret, otpauthUri, qrCode } = await this.account.setup(
      caller,
      dto.current_password,
      client,
    );
    return { secret, otpauth_uri: otpauthUri, qr_code: qrCode };
  }

  @Post('enable')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Turn two-factor on with a current code; returns ten recovery codes, shown once',
  })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  @ApiErrorResponse(
    'The code is wrong, or current_password is',
    ErrorCode.WrongTwoFactorCode,
    ErrorCode.WrongCurrentPassword,
  )
  @ApiErrorResponse(
    'No setup pending, or two-factor is already on',
    ErrorCode.TwoFactorNotSetUp,
    ErrorCode.TwoFactorAlreadyEnabled,
  )
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ConfirmBody(EnableTwoFactorDto, { code: '123456' })
  @RateLimited()
  async enable(
    @CurrentUser() caller: Caller,
    @Body() dto: EnableTwoFactorDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesResponse> {
    return {
      recovery_codes: await this.account.enable(caller, dto.code, dto.current_password, client),
    };
  }

  @Post('disable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Turn two-factor off: needs the password and a current code (or a recovery code)',
  })
  @ApiNoContentResponse({ description: 'Two-factor is off' })
  @ApiBody({
    type: DisableTwoFactorDto,
    examples: {
      'with a code from the app': { value: { password: 'the account password', code: '123456' } },
      'with a recovery code': {
        value: { password: 'the account password', recovery_code: 'k3vq-8d2m-x7pa' },
      },
    },
  })
  @ApiErrorResponse('Invalid input: `details` names each problem', ONE_FACTOR, UNKNOWN_FIELD)
  @ApiErrorResponse(
    'The password or the code is wrong',
    ErrorCode.WrongCurrentPassword,
    ErrorCode.WrongTwoFactorCode,
  )
  @ApiErrorResponse('Two-factor is off already', ErrorCode.TwoFactorNotEnabled)
  @RateLimited()
  async disable(
    @CurrentUser() caller: Caller,
    @Body() dto: DisableTwoFactorDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.disable(
      caller,
      dto.password,
      { code: dto.code, recoveryCode: dto.recovery_code },
      client,
    );
  }

  @Public()
  @Post('verify')
  @Header('Cache-Control', 'no-store')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Second step of a two-factor login: the mfa_token and a code give the token pair',
    description:
      'Send `code` (from the authenticator app) or `recovery_code`. A code is accepted once; ' +
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
    },
  })
  @ApiErrorResponse('Invalid input: `details` names each problem', ONE_FACTOR, UNKNOWN_FIELD)
  @ApiErrorResponse(
    'The mfa_token or the code is invalid, expired or used',
    ErrorCode.InvalidMfaToken,
    ErrorCode.InvalidTwoFactorCode,
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
      { code: dto.code, recoveryCode: dto.recovery_code },
      client,
    );
    return this.cookie.deliver(response, pair);
  }
}
