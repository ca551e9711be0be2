import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CurrentUser, Public, Roles } from 'nestjs-gatehouse';
import type { AuthUser } from 'nestjs-gatehouse';

@Controller()
export class JobsController {
  @MessagePattern('whoami')
  whoami(@CurrentUser() user: AuthUser, @Payload() data: { n?: number }) {
    return { id: user.id, n: data.n ?? null };
  }

  @Roles('admin')
  @MessagePattern('admin')
  admin(): string {
    return 'for admins';
  }

  @Public()
  @MessagePattern('ping')
  ping(): string {
    return 'pong';
  }
}
