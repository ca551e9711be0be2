import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { Authenticated } from '../../core/decorators/authenticated.decorator';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Caller } from '../../core/auth-user';
import { Client } from '../../core/decorators/client-info.decorator';
import { CurrentUser } from '../../core/decorators/current-user.decorator';
import { ConfirmBody, ConfirmDto } from '../../users/dto/current-password';
import { RateLimited } from '../../throttling/rate-limited.decorator';
import { ErrorCode } from '../../common/errors/domain-error';
import { ApiErrorResponse, UNKNOWN_FIELD } from '../../common/openapi/error-responses';
import type { ClientInfo } from '../../core/client-info';
import {
  DisableTwoFactorDto,
  ONE_FACTOR_ONLY,
  RecoveryCodesResponse,
  EnableTwoFactorDto,
  TwoFactorSetupResponse,
  TwoFactorStatusResponse,
} from '../dto/two-factor.dto';
import { TwoFactorAccountService } from './two-factor-account.service';
import { GatehouseRoute } from '../../common/http/gatehouse-route.decorator';

/**
 * TOTP two-factor: turning it on and off for the signed-in user. The login's second step,
 * `POST /auth/2fa/verify`, is the auth feature's (TwoFactorLoginController).
 */
@ApiTags('two-factor')
@ApiErrorResponse('Invalid input: `details` names each problem', UNKNOWN_FIELD)
@Authenticated()
@Controller('auth/2fa')
@GatehouseRoute()
export class TwoFactorController {
  constructor(private readonly account: TwoFactorAccountService) {}

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
  @ApiErrorResponse('Invalid input: `details` names each problem', ONE_FACTOR_ONLY, UNKNOWN_FIELD)
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
}
