import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConfirmBody } from '../users/dto/current-password';
import { Reauthentication } from '../users/reauthentication.service';
import { RateLimited } from '../throttling/rate-limited.decorator';
import type { Caller } from '../core/auth-user';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { RevokedCount } from '../tokens/dto/session.dto';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse } from '../common/openapi/error-responses';
import { ListUsersQuery } from '../users/dto/list-users.query';
import { UpdateUserDto } from '../users/dto/update-user.dto';
import { UserPage, UserResponse } from '../users/dto/user.response';
import { ROLE_ADMIN } from '../users/entities/user.entity';
import { UserAdminService } from './user-admin.service';
import { UserIdParam } from '../users/user-id.param';
import { Client } from '../core/decorators/client-info.decorator';
import type { ClientInfo } from '../core/client-info';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('admin')
@Authenticated({ roles: [ROLE_ADMIN] })
@Controller('admin/users')
@GatehouseRoute()
export class AdminUsersController {
  constructor(
    private readonly admin: UserAdminService,
    private readonly reauthentication: Reauthentication,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List accounts (admins only)' })
  @ApiOkResponse({ type: UserPage })
  list(@Query() query: ListUsersQuery): Promise<UserPage> {
    return this.admin.list(query.limit, query.offset);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Disable or enable an account, or change its roles' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrorResponse('No such account', { code: ErrorCode.NotFound, message: 'User not found' })
  @ApiErrorResponse(
    'Reauthentication required: send current_password',
    ErrorCode.ReauthenticationRequired,
  )
  @ConfirmBody(UpdateUserDto, { disabled: false })
  @RateLimited()
  async update(
    @UserIdParam() id: string,
    @Body() dto: UpdateUserDto,
    @CurrentUser() caller: Caller,
    @Client() client: ClientInfo,
  ): Promise<UserResponse> {
    // Roles and access are how accounts sign in too: a stolen admin token alone changes neither.
    await this.reauthentication.confirm(caller, dto.current_password, client);
    const { current_password: _proof, ...change } = dto;
    return this.admin.update(id, change, caller.sub, client);
  }

  @Post(':id/revoke-sessions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'End every session of an account; its tokens stop working at once' })
  @ApiOkResponse({ type: RevokedCount })
  @ApiErrorResponse('No such account', { code: ErrorCode.NotFound, message: 'User not found' })
  async revokeSessions(
    @UserIdParam() id: string,
    @CurrentUser() caller: Caller,
    @Client() client: ClientInfo,
  ): Promise<RevokedCount> {
    return { revoked_tokens: await this.admin.revokeSessions(id, caller.sub, client) };
  }
}
