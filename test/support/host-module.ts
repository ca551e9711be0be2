import { Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthModule, gatehouseSchema } from '../../src';
import type {
  GatehouseBreachedPasswordsOption,
  GatehouseRoutes,
  GatehouseSchemaOptions,
  GatehouseUsersOption,
} from '../../src';

/**
 * The root module of a small host application: its own controllers, an in-memory SQLite
 * database with Gatehouse's schema (by default: default prefix, Gatehouse's own users), and
 * AuthModule through the public entry point only, with none of the standalone server's global
 * setup.
 */
export function inMemoryHost(options: {
  controllers?: Type[];
  /** Modules of the host's own, beside AuthModule. */
  imports?: Type[];
  isGlobal?: boolean;
  routes?: GatehouseRoutes;
  globalGuards?: boolean;
  settings?: Record<string, string>;
  schema?: GatehouseSchemaOptions;
  users?: GatehouseUsersOption;
  breachedPasswords?: GatehouseBreachedPasswordsOption;
}): Type {
  const schema = gatehouseSchema(options.schema);
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        entities: schema.entities,
        migrations: schema.migrations,
        migrationsRun: true,
      }),
      AuthModule.forRoot({
        jwt: { secret: 'in-memory-host-secret-0123456789abcdef0123456789' },
        bcryptCost: 4,
        globalGuards: options.globalGuards ?? false,
        isGlobal: options.isGlobal,
        routes: options.routes,
        users: options.users,
        breachedPasswords: options.breachedPasswords,
        settings: {
          TOKEN_CLEANUP_INTERVAL: '0',
          MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'host-outbox-')),
          ...options.settings,
        },
      }),
      ...(options.imports ?? []),
    ],
    // Declared by the root module, so registered before Gatehouse's routes.
    controllers: options.controllers ?? [],
  })
  class HostModule {}
  return HostModule;
}
