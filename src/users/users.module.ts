import { Module } from '@nestjs/common';
import { UsersService } from './users.service';

/**
 * Accounts, reached through the UserStore port that AuthModule provides (USER_STORE, from its
 * `users` option). Their routes are mounted by AuthModule, which chooses which.
 */
@Module({
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
