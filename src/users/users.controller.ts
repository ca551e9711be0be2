import { Controller, Get, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../auth/auth-user';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { UserResponse } from './dto/user.response';
import { UsersService } from './users.service';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { RolesGuard } from '../auth/guards/roles.guard';
import { GatehouseValidationPipe } from '../common/pipes/gatehouse-validation.pipe';
import { GatehouseRoute } from '../common/http/gatehouse-route.decorator';

@ApiTags('users')
// Guarded and validated here too, so the routes keep their protection and input rules in an
// application that turns the global guards off or has no global validation pipe.
@UseGuards(JwtAuthGuard, RolesGuard)
@UsePipes(GatehouseValidationPipe)
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
