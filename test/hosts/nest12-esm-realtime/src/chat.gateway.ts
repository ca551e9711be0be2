import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { CurrentUser, Public, Roles } from 'nestjs-gatehouse';
import type { AuthUser } from 'nestjs-gatehouse';

@WebSocketGateway()
export class ChatGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AuthUser): string {
    return user.id;
  }

  @Roles('admin')
  @SubscribeMessage('admin')
  admin(): string {
    return 'for admins';
  }

  @Public()
  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}
