import { Controller, Get } from '@nestjs/common';
import { Authenticated } from '../core/decorators/authenticated.decorator';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../core/auth-user';
import { CurrentUser } from '../core/decorators/current-user.decorator';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('users')
@Authenticated()
@Controller('users')
@GatehouseRoute()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The account behind the bearer token' })
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() caller: Caller): Promise<UserResponse> {
    return UserResponse.from(await this.users.getById(caller.sub));
  }
}
