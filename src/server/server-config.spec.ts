import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigValidationError } from '../index';
import { loadAppConfig } from './app.config';
import { loadDatabaseConfig } from './database.config';
import { loadServerConfig, validateServerEnvironment } from './server-config';

describe("the server's configuration", () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-server-config-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('validateServerEnvironment', () => {
    it("names every bad variable of the server's own at once", () => {
      const error = (() => {
        try {
          validateServerEnvironment({ PORT: 'abc', DATABASE_URL: 'oracle://x', DATA_DIR: dataDir });
        } catch (e) {
          return e as ConfigValidationError;
        }
      })();
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect(error?.message).toMatch(/PORT/);
      expect(error?.message).toMatch(/DATABASE_URL/);
    });

    it("checks Gatehouse's settings too, production secrets included", () => {
      const production = { NODE_ENV: 'production', DATA_DIR: dataDir };
      expect(() => validateServerEnvironment(production)).toThrow(/JWT_SECRET/);
      expect(() => validateServerEnvironment({ ...production, BCRYPT_COST: '99' })).toThrow(
        /BCRYPT_COST/,
      );
      const secrets = {
        JWT_SECRET: 'k'.repeat(20) + 'Zq8#'.repeat(5),
        MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
        PASSKEY_RP_ID: 'example.com',
      };
      expect(() => validateServerEnvironment({ ...production, ...secrets })).not.toThrow();
    });

    it("names the server's bad variables and every missing production secret in one error", () => {
      let problems: string[] = [];
      try {
        validateServerEnvironment({ NODE_ENV: 'production', DATA_DIR: dataDir, PORT: 'abc' });
      } catch (error) {
        problems = (error as ConfigValidationError).problems;
      }
      // PORT is read by both the server and Gatehouse, by the same rule: it is named once.
      expect(problems.filter((problem) => problem.startsWith('PORT'))).toHaveLength(1);
      expect(problems).toEqual(
        expect.arrayContaining([
          'JWT_SECRET is required when NODE_ENV=production',
          'MFA_ENCRYPTION_KEY is required when NODE_ENV=production',
        ]),
      );
    });

    it('accepts .env.example as it stands: its values follow the rules it documents', () => {
      const example = parseEnv(readFileSync(join(__dirname, '../../.env.example'), 'utf8'));
      expect(() => validateServerEnvironment({ ...example, DATA_DIR: dataDir })).not.toThrow();
    });

    it('returns the configuration it parsed, for main.ts to use', () => {
      expect(validateServerEnvironment({ DATA_DIR: dataDir, PORT: '8081' })).toEqual(
        loadServerConfig({ DATA_DIR: dataDir, PORT: '8081' }),
      );
      expect(loadServerConfig({ DATA_DIR: dataDir, PORT: '8081' }).app.port).toBe(8081);
    });
  });

  it('refuses BENCHMARK_ROUTES in production, naming it', () => {
    const production = {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      JWT_SECRET: 'k'.repeat(20) + 'Zq8#'.repeat(5),
      MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
    };
    expect(() => validateServerEnvironment({ ...production, BENCHMARK_ROUTES: '1' })).toThrow(
      /BENCHMARK_ROUTES/,
    );
    expect(() =>
      validateServerEnvironment({ ...production, BENCHMARK_ROUTES: 'true', NODE_ENV: 'test' }),
    ).not.toThrow();
  });

  describe('HTTP server timeouts', () => {
    it('are chosen: 30 s a request, 10 s for the headers, 5 s of idle keep-alive', () => {
      expect(loadAppConfig({}).httpTimeouts).toEqual({
        requestMs: 30_000,
        headersMs: 10_000,
        keepAliveMs: 5_000,
      });
      expect(
        loadAppConfig({
          HTTP_REQUEST_TIMEOUT: '1m',
          HTTP_HEADERS_TIMEOUT: '20s',
          HTTP_KEEP_ALIVE_TIMEOUT: '65s',
        }).httpTimeouts,
      ).toEqual({ requestMs: 60_000, headersMs: 20_000, keepAliveMs: 65_000 });
    });

    it('read a bare number as seconds, like every duration, and take milliseconds too', () => {
      expect(
        loadAppConfig({
          HTTP_REQUEST_TIMEOUT: '45',
          HTTP_HEADERS_TIMEOUT: '1500ms',
          HTTP_KEEP_ALIVE_TIMEOUT: '65',
        }).httpTimeouts,
      ).toEqual({ requestMs: 45_000, headersMs: 1_500, keepAliveMs: 65_000 });
      expect(() => loadAppConfig({ HTTP_KEEP_ALIVE_TIMEOUT: '5 minutes' })).toThrow(
        /HTTP_KEEP_ALIVE_TIMEOUT must be a duration/,
      );
    });

    it('refuses none at all, or headers allowed longer than the whole request', () => {
      expect(() => loadAppConfig({ HTTP_REQUEST_TIMEOUT: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT/);
      expect(() =>
        loadAppConfig({ HTTP_REQUEST_TIMEOUT: '5s', HTTP_HEADERS_TIMEOUT: '10s' }),
      ).toThrow(/HTTP_HEADERS_TIMEOUT/);
    });
  });

  describe('database config', () => {
    it('defaults to SQLite in the data directory', () => {
      expect(loadDatabaseConfig({ DATA_DIR: dataDir })).toMatchObject({
        kind: 'sqlite',
        path: join(dataDir, 'gatehouse.sqlite'),
        migrationsRun: true,
      });
    });

    it('selects MySQL, or the MariaDB dialect, by URL', () => {
      expect(loadDatabaseConfig({ DATABASE_URL: 'mysql://u:p@h:3306/d' })).toMatchObject({
        kind: 'mysql',
        flavour: 'mysql',
        url: 'mysql://u:p@h:3306/d',
      });
      expect(loadDatabaseConfig({ DATABASE_URL: 'mariadb://u:p@h:3306/d' })).toMatchObject({
        kind: 'mysql',
        flavour: 'mariadb',
        url: 'mysql://u:p@h:3306/d',
      });
    });

    it('selects PostgreSQL by postgres:// or postgresql://, and refuses other schemes', () => {
      for (const url of ['postgres://u:p@h:5432/d', 'postgresql://u@h/d?sslmode=require']) {
        expect(loadDatabaseConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '4' })).toMatchObject({
          kind: 'postgres',
          url,
          poolSize: 4,
        });
      }
      expect(() => loadDatabaseConfig({ DATABASE_URL: 'pg://u@h/d' })).toThrow(/postgres:\/\//);
    });

    it('takes sqlite: paths and turns migrations off on request', () => {
      expect(
        loadDatabaseConfig({ DATABASE_URL: 'sqlite::memory:', DATABASE_MIGRATIONS_RUN: 'false' }),
      ).toMatchObject({ kind: 'sqlite', path: ':memory:', migrationsRun: false });
    });

    it('bounds every wait on the database: 5 s unless DATABASE_TIMEOUT says otherwise', () => {
      expect(loadDatabaseConfig({ DATA_DIR: dataDir }).timeoutMs).toBe(5000);
      expect(loadDatabaseConfig({ DATABASE_TIMEOUT: '1500ms' }).timeoutMs).toBe(1500);
      expect(loadDatabaseConfig({ DATABASE_TIMEOUT: '2s' }).timeoutMs).toBe(2000);
      expect(() => loadDatabaseConfig({ DATABASE_TIMEOUT: '0' })).toThrow(/DATABASE_TIMEOUT/);
    });

    it('refuses a bare DATABASE_TIMEOUT, which meant milliseconds, rather than read it as seconds', () => {
      expect(() => loadDatabaseConfig({ DATABASE_TIMEOUT: '5000' })).toThrow(
        /DATABASE_TIMEOUT=5000 needs a unit, such as 5000ms or 5000s/,
      );
    });
  });
});
