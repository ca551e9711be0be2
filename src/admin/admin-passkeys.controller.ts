import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/domain-error';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';
import { ApiErrorResponse } from '../common/openapi/error-responses';
import type { Caller } from '../core/auth-user';
import type { ClientInfo } from '../core/client-info';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { Client } from '../core/decorators/client-info.decorator';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { PasskeyResponse } from '../passkeys/dto/passkey.dto';
import { PasskeyAccount } from '../passkeys/passkey-account.service';
import { PasskeysOn } from '../passkeys/passkeys-on.guard';
import { RateLimited } from '../throttling/rate-limited.decorator';
import { ConfirmBody, ConfirmDto } from '../users/dto/current-password';
import { ROLE_ADMIN } from '../users/entities/user.entity';
import { Reauthentication } from '../users/reauthentication.service';
import { UserIdParam } from '../users/user-id.param';

export class RemovedPasskeys {
  @ApiProperty({ example: 2, description: 'How many passkeys were removed.' })
  removed!: number;
}

/** An account's passkeys as an admin sees them: listed, and removed when the owner lost one. */
@ApiTags('admin')
@ApiErrorResponse('No such account', { code: ErrorCode.NotFound, message: 'User not found' })
@Authenticated({ roles: [ROLE_ADMIN] })
@PasskeysOn()
@Controller('admin/users')
@GatehouseRoute()
export class AdminPasskeysController {
  constructor(
    private readonly passkeys: PasskeyAccount,
    private readonly reauthentication: Reauthentication,
  ) {}

  @Get(':id/passkeys')
  @ApiOperation({ summary: "An account's passkeys (admins only)" })
  @ApiOkResponse({ type: [PasskeyResponse] })
  async list(@UserIdParam() id: string): Promise<PasskeyResponse[]> {
    return (await this.passkeys.listOf(id)).map((passkey) => PasskeyResponse.of(passkey));
  }

  @Delete(':id/passkeys')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Remove every passkey of an account (admins only)',
    description:
      'For a user who lost their devices, or whose passkey someone else added. The sessions they signed in end; the owner is mailed for each.',
  })
  @ApiOkResponse({ type: RemovedPasskeys })
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ConfirmBody(ConfirmDto, {})
  @RateLimited()
  async removeAll(
    @UserIdParam() id: string,
    @Body() dto: ConfirmDto,
    @CurrentUser() caller: Caller,
    @Client() client: ClientInfo,
  ): Promise<RemovedPasskeys> {
    // Someone else's way in: a stolen admin token alone must not remove it.
    await this.reauthentication.confirm(caller, dto.current_password, client);
    return { removed: await this.passkeys.removeByAdmin(id, undefined, caller.sub, client) };
  }

  @Delete(':id/passkeys/:passkeyId')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Remove one passkey of an account (admins only)',
    description: 'The sessions it signed in end; the owner is mailed.',
  })
  @ApiOkResponse({ type: RemovedPasskeys })
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ConfirmBody(ConfirmDto, {})
  @RateLimited()
  async remove(
    @UserIdParam() id: string,
    @Param('passkeyId', new ParseUUIDPipe({ version: '4' })) passkeyId: string,
    @Body() dto: ConfirmDto,
    @CurrentUser() caller: Caller,
    @Client() client: ClientInfo,
  ): Promise<RemovedPasskeys> {
    await this.reauthentication.confirm(caller, dto.current_password, client);
    return { removed: await this.passkeys.removeByAdmin(id, passkeyId, caller.sub, client) };
  }
}
