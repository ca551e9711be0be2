import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Patch,
  Post,
  Query,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConfirmBody } from '../auth/dto/current-password';
import { Reauthentication } from '../auth/reauthentication.service';
import { RateLimited } from '../auth/throttling/rate-limited.decorator';
import type { Caller } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { RevokedCount } from '../auth/dto/session.dto';
import { Roles } from '../auth/decorators/roles.decorator';
import { ErrorCode } from '../common/errors/domain-error';
import { ApiErrorResponse } from '../auth/openapi/error-responses';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPage, UserResponse } from './dto/user.response';
import { ROLE_ADMIN } from './entities/user.entity';
import { UserAdminService } from './user-admin.service';
import { UserIdParam } from './user-id.param';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { RolesGuard } from '../auth/guards/roles.guard';
import { GatehouseValidationPipe } from '../common/pipes/gatehouse-validation.pipe';
import { Client } from '../auth/decorators/client-info.decorator';
import type { ClientInfo } from '../tokens/client-info';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('admin')
@Roles(ROLE_ADMIN)
// Guarded and validated here too, so the routes keep their protection and input rules in an
// application that turns the global guards off or has no global validation pipe.
@UseGuards(JwtAuthGuard, RolesGuard)
@UsePipes(GatehouseValidationPipe)
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
