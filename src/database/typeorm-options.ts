import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { Note } from '../notes/entities/note.entity';
import { Token } from '../tokens/entities/token.entity';
import { User } from '../users/entities/user.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-InitialSchema';
import { Sessions1764100000000 } from './migrations/1764100000000-Sessions';
import { Session } from '../tokens/entities/session.entity';
import { OneTimeToken } from '../account/entities/one-time-token.entity';
import { RecoveryCode } from '../account/entities/recovery-code.entity';
import { UserMfa } from '../account/entities/user-mfa.entity';
import { AccountLifecycle1764300000000 } from './migrations/1764300000000-AccountLifecycle';
import { RevocationOutbox1764400000000 } from './migrations/1764400000000-RevocationOutbox';
import { RevocationOutboxEntry } from '../tokens/entities/revocation-outbox.entity';

/** What an application that drops AuthModule in registers with its own TypeORM connection. */
export const GATEHOUSE_ENTITIES = [
  User,
  Token,
  Session,
  RevocationOutboxEntry,
  OneTimeToken,
  UserMfa,
  RecoveryCode,
];
export const GATEHOUSE_MIGRATIONS = [
  InitialSchema1764000000000,
  Sessions1764100000000,
  AccountLifecycle1764300000000,
  RevocationOutbox1764400000000,
];

export const entities = [...GATEHOUSE_ENTITIES, Note];
export const migrations = GATEHOUSE_MIGRATIONS;

/**
 * The one place TypeORM is configured, used by the app and by the migration CLI alike. The schema
 * comes from migrations only: `synchronize` stays off.
 */
export function buildDataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsRun: db.migrationsRun,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: db.logging,
  } as const;
  if (db.kind === 'mysql') {
    return {
      ...common,
      type: db.flavour,
      url: db.url,
      // Dates are stored and read as UTC whatever the server's or the host's time zone.
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      poolSize: db.poolSize,
      // Fail fast when the server is gone: requests answer 503 instead of hanging. Queries and
      // the pool's queue are bounded too, by the DataSource's factory (bounded-waits.ts).
      connectTimeout: db.timeoutMs,
    };
  }
  if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.path,
    // WAL lets readers proceed while a write is in progress.
    enableWAL: true,
    // How long a statement waits for a lock held by another process (the cleanup CLI, a second
    // instance on the same file) before failing with SQLITE_BUSY, answered 503. better-sqlite3 is
    // synchronous: the whole process waits with it.
    prepareDatabase: (conn: { pragma: (sql: string) => unknown }) => {
      conn.pragma(`busy_timeout = ${db.timeoutMs}`);
    },
  };
}
