import { Body, Controller, Delete, HttpCode, HttpStatus } from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../core/auth-user';
import { ConfirmBody, ConfirmDto } from '../users/dto/current-password';
import { Reauthentication } from '../users/reauthentication.service';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { UserIdParam } from '../users/user-id.param';
import { Client } from '../core/decorators/client-info.decorator';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse } from '../common/openapi/error-responses';
import type { ClientInfo } from '../core/client-info';
import { ROLE_ADMIN } from '../users/entities/user.entity';
import { TwoFactorAccountService } from '../account/mfa/two-factor-account.service';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

/** The way back for a user who lost both the authenticator and the recovery codes. */
@ApiTags('admin')
@Authenticated({ roles: [ROLE_ADMIN] })
@Controller('admin/users')
@GatehouseRoute()
export class AdminTwoFactorController {
  constructor(
    private readonly account: TwoFactorAccountService,
    private readonly reauthentication: Reauthentication,
  ) {}

  @Delete(':id/2fa')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: "Turn an account's two-factor off (admins only)",
    description:
      'For a user who lost the authenticator and the recovery codes, or whose authenticator ' +
      'someone else enrolled. Every session of the account ends; the owner is mailed.',
  })
  @ApiNoContentResponse({ description: 'Two-factor is off' })
  @ApiErrorResponse('No such account', { code: ErrorCode.NotFound, message: 'User not found' })
  @ApiErrorResponse('Two-factor was not on', ErrorCode.TwoFactorNotEnabled)
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ConfirmBody(ConfirmDto, {})
  @RateLimited()
  async reset(
    @UserIdParam() id: string,
    @Body() dto: ConfirmDto,
    @CurrentUser() caller: Caller,
    @Client() client: ClientInfo,
  ): Promise<void> {
    // Someone else's second factor: a stolen admin token alone must not remove it.
    await this.reauthentication.confirm(caller, dto.current_password, client);
    return this.account.resetByAdmin(id, caller.sub, client);
  }
}
