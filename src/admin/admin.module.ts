import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { UserAdminService } from './user-admin.service';

/**
 * What an administrator does to other accounts: roles, access, sessions, second factor. Its
 * routes are mounted by AuthModule, in the `admin` group.
 */
@Module({
  imports: [UsersModule, TokensModule],
  providers: [UserAdminService],
  exports: [UserAdminService],
})
export class AdminModule {}
