import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/** A database an e2e suite runs against, created for it and dropped after. */
export interface TestDatabase {
  name: 'sqlite' | 'mysql';
  url: string;
  drop(): Promise<void>;
}

export type DatabaseKind = TestDatabase['name'];

/**
 * The databases every e2e suite runs on: the embedded SQLite always, MariaDB/MySQL when
 * TEST_MYSQL_URL is set. With REQUIRE_SERVICES=1 (CI) a missing TEST_MYSQL_URL is an error, so
 * the MySQL half can never be skipped silently.
 */
export function databaseKinds(): DatabaseKind[] {
  if (process.env.REQUIRE_SERVICES === '1') {
    for (const name of ['TEST_MYSQL_URL', 'TEST_REDIS_URL']) {
      if (!process.env[name]) throw new Error(`REQUIRE_SERVICES=1 but ${name} is not set`);
    }
  }
  return process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

/**
 * The deployment each kind stands for: SQLite alone (one instance, in-process cache only), and
 * MySQL with Redis when TEST_REDIS_URL is set (several instances: shared cache and pub/sub).
 * Each app gets its own Redis key prefix, so suites running in parallel never see each other.
 */
export function redisEnvFor(kind: DatabaseKind): Record<string, string> {
  const url = process.env.TEST_REDIS_URL;
  if (kind !== 'mysql' || !url) return {};
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
