import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

/** A database an e2e suite runs against, created for it and dropped after. */
export interface TestDatabase {
  name: 'sqlite' | 'mysql' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

export type DatabaseKind = TestDatabase['name'];

/**
 * The databases every e2e suite runs on: the embedded SQLite always, MariaDB/MySQL when
 * TEST_MYSQL_URL is set, PostgreSQL when TEST_POSTGRES_URL is. With REQUIRE_SERVICES=1 (CI) a
 * missing URL is an error, so no half can ever be skipped silently.
 */
export function databaseKinds(): DatabaseKind[] {
  if (process.env.REQUIRE_SERVICES === '1') {
    for (const name of ['TEST_MYSQL_URL', 'TEST_POSTGRES_URL', 'TEST_REDIS_URL']) {
      if (!process.env[name]) throw new Error(`REQUIRE_SERVICES=1 but ${name} is not set`);
    }
  }
  return [
    'sqlite',
    ...(process.env.TEST_MYSQL_URL ? (['mysql'] as const) : []),
    ...(process.env.TEST_POSTGRES_URL ? (['postgres'] as const) : []),
  ];
}

/** The kinds reached over the network (a server of their own): all but SQLite. */
export function serverKinds(): Array<Exclude<DatabaseKind, 'sqlite'>> {
  return databaseKinds().filter(
    (kind): kind is Exclude<DatabaseKind, 'sqlite'> => kind !== 'sqlite',
  );
}

/**
 * The deployment each kind stands for: SQLite alone (one instance, in-process cache only), and
 * MySQL or PostgreSQL with Redis when TEST_REDIS_URL is set (several instances: shared cache and
 * pub/sub). Each app gets its own Redis key prefix, so suites running in parallel never see each
 * other.
 */
export function redisEnvFor(kind: DatabaseKind): Record<string, string> {
  const url = process.env.TEST_REDIS_URL;
  if (kind === 'sqlite' || !url) return {};
  return { REDIS_URL: url, REDIS_KEY_PREFIX: `gh-test-${randomBytes(6).toString('hex')}:` };
}

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
    return {
      name: 'sqlite',
      url: `sqlite:${join(dir, 'test.sqlite')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  if (kind === 'postgres') return createPostgresDatabase();
  const server = new URL(process.env.TEST_MYSQL_URL as string);
  const database = `gh_e2e_${randomBytes(6).toString('hex')}`;
  const admin = await createConnection({ uri: server.toString() });
  let mariadb = false;
  try {
    await admin.query(
      // latin1 on purpose: the migrations must not depend on a friendly server default.
      `CREATE DATABASE \`${database}\` CHARACTER SET latin1`,
    );
    const [rows] = await admin.query('SELECT VERSION() AS v');
    mariadb = /mariadb/i.test(String((rows as Array<{ v: string }>)[0]?.v));
  } finally {
    await admin.end();
  }
  // The app's own convention: mariadb:// selects TypeORM's MariaDB dialect.
  const url = new URL(server.toString().replace(/^mysql:/, mariadb ? 'mariadb:' : 'mysql:'));
  url.pathname = `/${database}`;
  return {
    name: 'mysql',
    url: url.toString(),
    drop: async () => {
      const conn = await createConnection({ uri: server.toString() });
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** A database of its own on TEST_POSTGRES_URL's server, dropped with whatever still uses it. */
async function createPostgresDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_POSTGRES_URL as string;
  const database = `gh_e2e_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  // UTF8 whatever the server's default: PostgreSQL's encoding is the database's, not a column's
  // (README: what to create on the server).
  await admin(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  return {
    name: 'postgres',
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}

/** A plain client on a test database, past the app: to read what the store holds. */
export interface SqlClient {
  /** Rows of a statement with `?` placeholders (numbered for PostgreSQL here). */
  rows<T>(query: string, params?: unknown[]): Promise<T[]>;
  end(): Promise<void>;
}

/** `?` placeholders as PostgreSQL numbers them: `$1`, `$2`… */
export function numberedPlaceholders(query: string): string {
  let n = 0;
  return query.replace(/\?/g, () => `$${++n}`);
}

export async function openSql(db: TestDatabase): Promise<SqlClient> {
  if (db.name === 'postgres') {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    return {
      rows: async <T>(query: string, params: unknown[] = []) =>
        (await client.query(numberedPlaceholders(query), params)).rows as T[],
      end: () => client.end(),
    };
  }
  if (db.name !== 'mysql') throw new Error(`openSql: ${db.name} is not reached over the network`);
  const connection = await createConnection({ uri: db.url.replace(/^mariadb:/, 'mysql:') });
  return {
    rows: async <T>(query: string, params: unknown[] = []) =>
      (await connection.query(query, params))[0] as T[],
    end: () => connection.end(),
  };
}
