import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { gatehouseSchema } from '../index';
import { Note, noteColumnTypes } from './notes/entities/note.entity';
import { ExampleNotes1764500000000 } from './notes/migrations/1764500000000-ExampleNotes';
import type { DatabaseConfig } from './server-config';

/**
 * The standalone server's schema: Gatehouse's, with its own users, and the example resource's.
 * Bare table names: the database is Gatehouse's alone, and those made before prefixes keep theirs.
 */
function schemaFor(databaseType: DataSourceOptions['type']) {
  const gatehouse = gatehouseSchema({ tablePrefix: '', databaseType });
  noteColumnTypes(databaseType);
  return {
    entities: [...gatehouse.entities, Note],
    migrations: [...gatehouse.migrations, ExampleNotes1764500000000],
  };
}

/**
 * The one place TypeORM is configured, used by the app and by the migration CLI alike. The schema
 * comes from migrations only: `synchronize` stays off.
 */
export function buildDataSourceOptions(
  db: DatabaseConfig,
  /** Off for the migration CLI: a migration may rightly outlast DATABASE_TIMEOUT. */
  { waits = true }: { waits?: boolean } = {},
): DataSourceOptions {
  const type =
    db.kind === 'mysql' ? db.flavour : db.kind === 'postgres' ? 'postgres' : 'better-sqlite3';
  const common = {
    ...schemaFor(type),
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
  if (db.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: db.url,
      poolSize: db.poolSize,
      // Waiting for a connection, new or pooled, fails after DATABASE_TIMEOUT (node-postgres's
      // connectionTimeoutMillis bounds both), answered 503.
      connectTimeoutMS: db.timeoutMs,
      extra: waits ? postgresBounds(db.timeoutMs) : UTC,
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

/**
 * Every instant is a timestamptz, which node-postgres writes and reads as instants whatever the
 * session's or the host's time zone; the session's is UTC all the same, so that what psql shows
 * is what the API says.
 */
const UTC = { options: '-c TimeZone=UTC' };

/**
 * DATABASE_TIMEOUT on the server's side of every wait a PostgreSQL connection makes, set when the
 * connection opens: a statement (the server cancels it, 57014), a lock (55P03), and a transaction
 * its client left idle (the server ends the session). TCP keepalive, probing after 10 s, finds a
 * connection whose peer has gone. A server that stops answering altogether is the client's to
 * bound (boundPostgresWaits, database.module.ts). All of them answer 503.
 */
function postgresBounds(timeoutMs: number) {
  return {
    ...UTC,
    statement_timeout: timeoutMs,
    lock_timeout: timeoutMs,
    idle_in_transaction_session_timeout: timeoutMs * 2,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}
