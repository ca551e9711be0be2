import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { UserAdminService } from './user-admin.service';
import { UsersService } from './users.service';

/**
 * Accounts, reached through the UserStore port that AuthModule provides (USER_STORE, from its
 * `users` option). Their routes are mounted by AuthModule, which chooses which.
 */
@Module({
  imports: [TokensModule],
  providers: [UsersService, UserAdminService],
  exports: [UsersService, UserAdminService],
})
export class UsersModule {}
