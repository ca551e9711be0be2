import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnvironment, validateServerEnvironment } from '.';
import { loadAuthConfig } from './auth.config';
import { loadAppConfig } from './app.config';
import { loadDatabaseConfig } from './database.config';
import { ConfigValidationError, durationToSeconds, parseEnv } from './env.validation';
import { resolveJwtKey, secretWeakness } from './jwt-secret';

const quiet = { warn: jest.fn() } as never;
const strong = 'k'.repeat(20) + 'Zq8#'.repeat(5);

describe('configuration', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('parseEnv', () => {
    it('names every bad variable at once', () => {
      const error = (() => {
        try {
          parseEnv({ PORT: 'abc', BCRYPT_COST: '99', DATABASE_URL: 'postgres://x' });
        } catch (e) {
          return e as ConfigValidationError;
        }
      })();
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect(error?.message).toMatch(/PORT/);
      expect(error?.message).toMatch(/BCRYPT_COST/);
      expect(error?.message).toMatch(/DATABASE_URL/);
    });

    it('treats empty strings as unset', () => {
      expect(parseEnv({ PORT: '', JWT_SECRET: '' })).toMatchObject({ PORT: undefined });
    });

    it('parses durations', () => {
      expect(durationToSeconds('900')).toBe(900);
      expect(durationToSeconds('15m')).toBe(900);
      expect(durationToSeconds('2h')).toBe(7200);
      expect(durationToSeconds('14d')).toBe(1209600);
    });
  });

  describe('JWT secret', () => {
    it.each([
      [undefined, /required/],
      ['short', /at least 32 bytes/],
      ['change-me-change-me-change-me-change-me', /placeholder/],
      ['x'.repeat(40), /placeholder/],
    ])('stops a production boot for %s', (secret, message) => {
      expect(() => resolveJwtKey(secret, { isProduction: true, dataDir }, quiet)).toThrow(message);
    });

    it('accepts a strong production secret as an HMAC KeyObject', () => {
      const key = resolveJwtKey(strong, { isProduction: true, dataDir }, quiet);
      expect(key.type).toBe('secret');
      expect(key.symmetricKeySize).toBe(Buffer.byteLength(strong));
    });

    it('generates a development secret once, keeps it private, and warns', () => {
      const logger = { warn: jest.fn() };
      const first = resolveJwtKey(undefined, { isProduction: false, dataDir }, logger as never);
      const second = resolveJwtKey(undefined, { isProduction: false, dataDir }, logger as never);
      expect(first.export().equals(second.export())).toBe(true);
      expect(first.symmetricKeySize).toBeGreaterThanOrEqual(32);
      expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn.mock.calls[0][0]).not.toContain(
        readFileSync(join(dataDir, 'jwt-secret'), 'utf8'),
      );
    });

    it('reports weakness without refusing in development', () => {
      expect(secretWeakness('short')).toBeDefined();
      expect(secretWeakness(strong)).toBeUndefined();
      const logger = { warn: jest.fn() };
      expect(() =>
        resolveJwtKey('short', { isProduction: false, dataDir }, logger as never),
      ).not.toThrow();
      expect(logger.warn).toHaveBeenCalled();
    });

    it('validateEnvironment refuses production without a secret before anything boots', () => {
      expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
      expect(() =>
        validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: strong }),
      ).not.toThrow();
      expect(() => validateEnvironment({ NODE_ENV: 'development' })).not.toThrow();
    });

    it('validateServerEnvironment also wants the MFA key in production; the CLIs do not', () => {
      const production = { NODE_ENV: 'production', JWT_SECRET: strong };
      expect(() => validateEnvironment(production)).not.toThrow();
      expect(() => validateServerEnvironment(production)).toThrow(/MFA_ENCRYPTION_KEY/);
      const key = 'ab'.repeat(32);
      expect(() => validateServerEnvironment({ ...production, MFA_ENCRYPTION_KEY: key })).not.toThrow();
      expect(() =>
        validateServerEnvironment({ ...production, MFA_ENCRYPTION_KEY: key, AUTH_COOKIE_MODE: 'true', CORS_ORIGINS: 'x:1' }),
      ).toThrow(/CORS_ORIGINS/);
    });
  });

  describe('auth config', () => {
    it('defaults to 15 minute access and 14 day refresh tokens at bcrypt cost 12', () => {
      const auth = loadAuthConfig({ JWT_SECRET: strong, DATA_DIR: dataDir });
      expect(auth).toMatchObject({
        algorithm: 'HS256',
        accessTtlSeconds: 900,
        refreshTtlSeconds: 1209600,
        bcryptCost: 12,
        issuer: 'gatehouse',
        audience: 'gatehouse-api',
      });
    });
  });

  describe('HTTP server timeouts', () => {
    it('are chosen: 30 s a request, 10 s for the headers, 5 s of idle keep-alive', () => {
      expect(loadAppConfig({}).httpTimeouts).toEqual({
        requestMs: 30_000,
        headersMs: 10_000,
        keepAliveMs: 5_000,
      });
      expect(
        loadAppConfig({ HTTP_REQUEST_TIMEOUT: '1m', HTTP_HEADERS_TIMEOUT: '20s', HTTP_KEEP_ALIVE_TIMEOUT: '65s' })
          .httpTimeouts,
      ).toEqual({ requestMs: 60_000, headersMs: 20_000, keepAliveMs: 65_000 });
    });

    it('refuses none at all, or headers allowed longer than the whole request', () => {
      expect(() => loadAppConfig({ HTTP_REQUEST_TIMEOUT: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT/);
      expect(() => loadAppConfig({ HTTP_REQUEST_TIMEOUT: '5s', HTTP_HEADERS_TIMEOUT: '10s' })).toThrow(
        /HTTP_HEADERS_TIMEOUT/,
      );
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
  });
});
