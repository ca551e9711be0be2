import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The account behind the bearer token' })
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() caller: AuthUser): Promise<UserResponse> {
    return UserResponse.from(await this.users.getById(caller.id));
  }
}
