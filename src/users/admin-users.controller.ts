import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/decorators/roles.decorator';
import { ListUsersQuery } from './dto/list-users.query';
import { UserPage, UserResponse } from './dto/user.response';
import { ROLE_ADMIN } from './entities/user.entity';
import { UsersService } from './users.service';

@ApiTags('admin')
@Roles(ROLE_ADMIN)
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List accounts (admins only)' })
  @ApiOkResponse({ type: UserPage })
  async list(@Query() query: ListUsersQuery): Promise<UserPage> {
    const { items, total } = await this.users.list(query.limit, query.offset);
    return { items: items.map((u) => UserResponse.from(u)), total, ...query };
  }
}
