import {
  Body,
  Controller,
  Delete,
  HttpCode,
  HttpStatus,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../auth/auth-user';
import { ConfirmBody, ConfirmDto } from '../../auth/dto/current-password';
import { Reauthentication } from '../../auth/reauthentication.service';
import { RateLimited } from '../../auth/throttling/rate-limited.decorator';
import { UserIdParam } from '../../users/user-id.param';
import { Client } from '../../auth/decorators/client-info.decorator';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { Roles } from '../../auth/decorators/roles.decorator';
import { JwtAuthGuard } from '../../auth/guards/jwt-auth.guard';
import { RolesGuard } from '../../auth/guards/roles.guard';
import { ErrorCode } from '../../common/errors/domain-error';
import { ApiErrorResponse } from '../../auth/openapi/error-responses';
import { GatehouseValidationPipe } from '../../common/pipes/gatehouse-validation.pipe';
import type { ClientInfo } from '../../tokens/client-info';
import { ROLE_ADMIN } from '../../users/entities/user.entity';
import { TwoFactorAccountService } from './two-factor-account.service';
import { GatehouseRoute } from '../../common/http/gatehouse-route.decorator';

/** The way back for a user who lost both the authenticator and the recovery codes. */
@ApiTags('admin')
@Roles(ROLE_ADMIN)
@UseGuards(JwtAuthGuard, RolesGuard)
@UsePipes(GatehouseValidationPipe)
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
