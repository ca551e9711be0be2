import { isAbsolute, join, resolve } from 'node:path';
import { dataDirOf } from './app.config';
import {
  ServerEnvironment,
  durationMs,
  flag,
  parseServerEnv,
  serverEnvironment,
} from './server-env';

export type DatabaseConfig =
  | {
      kind: 'sqlite';
      /** File path, or `:memory:` for throwaway test databases. */
      path: string;
      migrationsRun: boolean;
      logging: boolean;
      timeoutMs: number;
    }
  | {
      kind: 'mysql';
      /** MariaDB reports schema details its own way; TypeORM needs to know for migrations. */
      flavour: 'mysql' | 'mariadb';
      url: string;
      poolSize: number;
      migrationsRun: boolean;
      logging: boolean;
      timeoutMs: number;
    }
  | {
      kind: 'postgres';
      /** postgres:// or postgresql://, as node-postgres reads it (sslmode and the like included). */
      url: string;
      poolSize: number;
      migrationsRun: boolean;
      logging: boolean;
      timeoutMs: number;
    };

/** For a caller that needs this namespace alone (the TypeORM CLI, tests): parses `raw` first. */
export function loadDatabaseConfig(
  raw: Record<string, unknown> = serverEnvironment(),
): DatabaseConfig {
  return databaseConfigFrom(parseServerEnv(raw));
}

export function databaseConfigFrom(env: ServerEnvironment): DatabaseConfig {
  const common = {
    migrationsRun: flag(env.DATABASE_MIGRATIONS_RUN, true),
    logging: flag(env.DATABASE_LOGGING, false),
    // The longest any one wait on the database may take: a query's answer, a pooled connection,
    // a lock (SQLite's busy timeout, InnoDB's lock wait). Past it the request answers 503.
    // Gatehouse reads the same variable for its own transactions.
    timeoutMs: durationMs(env, 'DATABASE_TIMEOUT', '5s'),
  };
  const url = env.DATABASE_URL;
  if (url && /^(mysql|mariadb):\/\//.test(url)) {
    // mysql2 understands mysql:// only; mariadb:// selects TypeORM's MariaDB dialect.
    return {
      kind: 'mysql',
      flavour: url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      url: url.replace(/^mariadb:/, 'mysql:'),
      poolSize: env.DATABASE_POOL_SIZE ?? 10,
      ...common,
    };
  }
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return { kind: 'postgres', url, poolSize: env.DATABASE_POOL_SIZE ?? 10, ...common };
  }
  const file = url ? url.replace(/^sqlite:(\/\/)?/, '') : '';
  const path =
    file === ':memory:'
      ? file
      : file
        ? isAbsolute(file)
          ? file
          : resolve(file)
        : join(dataDirOf(env), 'gatehouse.sqlite');
  return { kind: 'sqlite', path, ...common };
}
