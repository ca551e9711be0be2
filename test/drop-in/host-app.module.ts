// An application that is not Gatehouse: its own configuration, its own database connection, its
// own controllers, and Gatehouse's AuthModule dropped in through the public entry point only.
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AuthModule,
  type AuthUser,
  CurrentUser,
  gatehouseSchema,
  JwtAuthGuard,
  Public,
  Roles,
  RolesGuard,
} from '../../src';

export const HOST_SECRET = 'host-app-secret-0123456789abcdef0123456789abcdef';

@Controller('reports')
@UseGuards(JwtAuthGuard, RolesGuard)
export class ReportsController {
  @Get('mine')
  mine(@CurrentUser() user: AuthUser) {
    return { owner: user.id, roles: user.roles };
  }

  @Get('all')
  @Roles('admin')
  all() {
    return { reports: ['q1', 'q2'] };
  }

  @Public()
  @Get('status')
  status() {
    return { ok: true };
  }
}

/** Not guarded: with `globalGuards: false`, AuthModule leaves the application's routes alone. */
@Controller('open')
export class OpenController {
  @Get()
  open() {
    return { open: true };
  }
}

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [
        () => ({ security: { jwtSecret: HOST_SECRET, issuer: 'host-app', audience: 'host-api' } }),
      ],
    }),
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: gatehouseSchema().entities,
      migrations: gatehouseSchema().migrations,
      migrationsRun: true,
    }),
    AuthModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      // What shapes the module goes beside the factory, even in forRootAsync.
      routes: { exclude: ['jwks'] },
      useFactory: (config: ConfigService) => ({
        jwt: {
          secret: config.getOrThrow<string>('security.jwtSecret'),
          issuer: config.getOrThrow<string>('security.issuer'),
          audience: config.getOrThrow<string>('security.audience'),
          accessTtl: '5m',
        },
        bcryptCost: 4,
        globalGuards: false,
        mfaEncryptionKey: randomBytes(32).toString('base64url'),
        appUrl: 'https://host.example.test',
        settings: {
          TOKEN_CLEANUP_INTERVAL: '0',
          MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'host-outbox-')),
        },
      }),
    }),
  ],
  controllers: [ReportsController, OpenController],
})
export class HostAppModule {}
