import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokensModule } from '../tokens/tokens.module';
import { User } from './entities/user.entity';
import { UserAdminService } from './user-admin.service';
import { UsersService } from './users.service';

/** Accounts. Their routes are mounted by AuthModule, which chooses which. */
@Module({
  imports: [TypeOrmModule.forFeature([User]), TokensModule],
  providers: [UsersService, UserAdminService],
  exports: [UsersService, UserAdminService],
})
export class UsersModule {}
