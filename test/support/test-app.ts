import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/server/app.module';
import { configureApp, httpAdapterFor } from '../../src/server/app.setup';
import { loadAppConfig } from '../../src/server/app.config';
import { ROLE_ADMIN, ROLE_USER } from '../../src/users/entities/user.entity';
import { UsersService } from '../../src/users/users.service';
import {
  DatabaseKind,
  TestDatabase,
  createTestDatabase,
  numberedPlaceholders,
  redisEnvFor,
} from './databases';

export const TEST_SECRET = randomBytes(48).toString('hex');
export const TEST_ISSUER = 'gatehouse-test';
export const TEST_AUDIENCE = 'gatehouse-test-api';
export const TEST_MFA_KEY = randomBytes(32).toString('base64url');

export interface TestApp {
  app: INestApplication<App>;
  http: () => ReturnType<typeof request>;
  db: TestDatabase;
  dataSource: DataSource;
  /** A raw statement with `?` placeholders, numbered ($1, $2…) on PostgreSQL. */
  sql<T = Array<Record<string, unknown>>>(query: string, params?: unknown[]): Promise<T>;
  close(): Promise<void>;
  /** Registers an account and returns its credentials. */
  register(opts?: { admin?: boolean }): Promise<{ email: string; password: string; id: string }>;
  /** Logs in and returns the token pair. */
  login(email: string, password: string): Promise<{ access: string; refresh: string }>;
}

/** Variables a suite may set for its app; cleared before each app so none leaks into the next. */
const RESET_ENV = [
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'INTROSPECTION_CLIENTS',
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'LOCKOUT_THRESHOLD',
  'REAUTH_MAX_AGE',
  'MFA_RESET_WINDOW',
  'AUTH_REGISTRATION_QUIET',
  'LOCKOUT_BASE_DELAY',
  'REVOCATION_CACHE_TTL',
  'JWT_ALGORITHM',
  'JWT_KEYS_DIR',
  'JWT_KEYS',
  'JWT_KEYS_RELOAD_INTERVAL',
  'SMTP_URL',
  'APP_URL',
  'AUTH_REQUIRE_VERIFIED_EMAIL',
  'MAIL_RESEND_INTERVAL',
  'MAIL_RETRY_DELAY',
  'MAIL_MAX_ATTEMPTS',
  'AUTH_COOKIE_MODE',
  'AUTH_COOKIE_SECURE',
  'AUTH_COOKIE_NAME',
  'AUTH_COOKIE_ORIGINS',
];

let counter = 0;
export const uniqueEmail = () =>
  `user${process.pid}-${Date.now()}-${counter++}@example.com`.toLowerCase();

/** Boots the real AppModule, configured like main.ts, on a fresh database of the given kind. */
export async function createTestApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  /** Rewrites how the app reaches its database (through a proxy, say). */
  reach: (url: string) => string = (url) => url,
): Promise<TestApp> {
  const db = await createTestDatabase(kind);
  for (const name of RESET_ENV) delete process.env[name];
  Object.assign(process.env, {
    ...redisEnvFor(kind),
    NODE_ENV: 'test',
    DATABASE_URL: reach(db.url),
    JWT_SECRET: TEST_SECRET,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    BCRYPT_COST: '4',
    // Suites log in often from one address; the brute-force suites set their own limits.
    RATE_LIMIT_IP: '100000',
    RATE_LIMIT_ACCOUNT: '100000',
    RATE_LIMIT_ANONYMOUS: '100000',
    // The request log would flood the test output; errors still reach Nest's console logger
    // below. test/logging.e2e-spec.ts reads the log of a real process instead.
    LOG_LEVEL: 'silent',
    MFA_ENCRYPTION_KEY: TEST_MFA_KEY,
    // Mails of suites without an SMTP server go to a scratch outbox, not the repository's data/.
    MAIL_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-outbox-')),
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const { adapter, options } = httpAdapterFor(loadAppConfig());
  const created = adapter
    ? moduleRef.createNestApplication(adapter, { ...options, logger: ['error'] })
    : moduleRef.createNestApplication({ ...options, logger: ['error'] });
  const app = (await configureApp(created)) as INestApplication<App>;
  await app.init();
  // Fastify routes only once its plugins have loaded.
  if (adapter) await adapter.getInstance().ready();
  const http = () => request(app.getHttpServer());
  const testApp: TestApp = {
    app,
    http,
    db,
    dataSource: app.get(DataSource),
    sql: (query, params) =>
      app.get(DataSource).query(kind === 'postgres' ? numberedPlaceholders(query) : query, params),
    close: async () => {
      await app.close();
      await db.drop();
    },
    register: async ({ admin = false } = {}) => {
      const email = uniqueEmail();
      const password = `pw-${randomBytes(6).toString('hex')}`;
      const res = await http().post('/auth/register').send({ email, password }).expect(201);
      const id = (res.body as { id: string }).id;
      if (admin) await app.get(UsersService).setRoles(id, [ROLE_USER, ROLE_ADMIN]);
      return { email, password, id };
    },
    login: async (email, password) => {
      const res = await http().post('/auth/login').send({ email, password }).expect(200);
      const body = res.body as { access_token: string; refresh_token: string };
      return { access: body.access_token, refresh: body.refresh_token };
    },
  };
  return testApp;
}
