import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, boundPostgresWaits, gatehouseSchema } from 'nestjs-gatehouse';
import { DataSource } from 'typeorm';
import { PingController } from './ping.controller.js';
import { ReportsController } from './reports.controller.js';
import { User } from './users/user.entity.js';
import { UsersController } from './users/users.controller.js';

// Gatehouse's tables under a prefix of ours, with PostgreSQL's types; the accounts stay in our
// users table.
const gatehouse = gatehouseSchema({ tablePrefix: 'gh_', users: false, databaseType: 'postgres' });

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => ({
        type: 'postgres',
        url: process.env.DATABASE_URL,
        entities: [User, ...gatehouse.entities],
        migrations: gatehouse.migrations,
        migrationsRun: true,
        // Our own bounds on every wait, as Gatehouse's README suggests.
        connectTimeoutMS: 5000,
        extra: {
          statement_timeout: 5000,
          lock_timeout: 5000,
          idle_in_transaction_session_timeout: 10_000,
          keepAlive: true,
        },
      }),
      dataSourceFactory: async (options) => {
        const dataSource = new DataSource(options!);
        const waits = boundPostgresWaits(dataSource, 5000);
        await dataSource.initialize();
        waits.arm();
        return dataSource;
      },
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
