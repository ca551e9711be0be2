import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, gatehouseSchema } from 'nestjs-gatehouse';
import { PingController } from './ping.controller.js';
import { ReportsController } from './reports.controller.js';
import { User } from './users/user.entity.js';
import { UsersController } from './users/users.controller.js';

// Gatehouse's tables under a prefix of ours; the accounts stay in our users table.
const gatehouse = gatehouseSchema({ tablePrefix: 'gh_', users: false });

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'mariadb',
      url: process.env.DATABASE_URL,
      entities: [User, ...gatehouse.entities],
      migrations: gatehouse.migrations,
      migrationsRun: true,
    }),
    TypeOrmModule.forFeature([User]),
    AuthModule.forRoot({
      jwt: { secret: process.env.JWT_SECRET },
      bcryptCost: 4,
      globalGuards: false,
      routes: { prefix: 'identity' },
      users: {
        entity: User,
        columns: {
          id: 'id',
          email: 'email',
          passwordHash: 'password',
          roles: 'roles',
          disabled: 'banned',
        },
        newUser: (user) => ({ fullName: user.email.split('@')[0] }),
        claims: (user) => ({ name: user.fullName }),
      },
    }),
  ],
  controllers: [UsersController, ReportsController, PingController],
})
export class AppModule {}
