import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { gatehouseSchema } from '../index';
import { Note } from './notes/entities/note.entity';
import { ExampleNotes1764500000000 } from './notes/migrations/1764500000000-ExampleNotes';
import type { DatabaseConfig } from './server-config';

/**
 * The standalone server's schema: Gatehouse's, with its own users, and the example resource's.
 * Bare table names: the database is Gatehouse's alone, and those made before prefixes keep theirs.
 */
const gatehouse = gatehouseSchema({ tablePrefix: '' });
export const entities = [...gatehouse.entities, Note];
export const migrations = [...gatehouse.migrations, ExampleNotes1764500000000];

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
