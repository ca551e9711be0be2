import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuthConfig } from './auth.config';
import { Test } from '@nestjs/testing';
import {
  GatehouseConfig,
  GatehouseConfigModule,
  validateGatehouseSettings,
} from './gatehouse-config';
import { ConfigValidationError, parseEnv } from './env.validation';
import { resolveJwtKey, secretWeakness } from './jwt-secret';
import { problemsOf } from '../../test/support/unit';

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
          parseEnv({ PORT: 'abc', BCRYPT_COST: '99', REDIS_URL: 'http://x' });
        } catch (e) {
          return e as ConfigValidationError;
        }
      })();
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect(error?.message).toMatch(/PORT/);
      expect(error?.message).toMatch(/BCRYPT_COST/);
      expect(error?.message).toMatch(/REDIS_URL/);
    });

    it('treats empty strings as unset', () => {
      expect(parseEnv({ PORT: '', JWT_SECRET: '' })).toMatchObject({ PORT: undefined });
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

    it('validateGatehouseSettings refuses production without a secret or MFA key, before anything boots', () => {
      const production = {
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        PASSKEY_RP_ID: 'example.com',
      };
      expect(() => validateGatehouseSettings({ settings: production })).toThrow(/JWT_SECRET/);
      expect(() =>
        validateGatehouseSettings({ settings: { ...production, JWT_SECRET: strong } }),
      ).toThrow(/MFA_ENCRYPTION_KEY/);
      const key = 'ab'.repeat(32);
      expect(() =>
        validateGatehouseSettings({
          settings: { ...production, JWT_SECRET: strong, MFA_ENCRYPTION_KEY: key },
        }),
      ).not.toThrow();
      expect(() =>
        validateGatehouseSettings({
          settings: {
            ...production,
            JWT_SECRET: strong,
            MFA_ENCRYPTION_KEY: key,
            AUTH_COOKIE_MODE: 'true',
            CORS_ORIGINS: 'x:1',
          },
        }),
      ).toThrow(/CORS_ORIGINS/);
      expect(() =>
        validateGatehouseSettings({ settings: { NODE_ENV: 'development', DATA_DIR: dataDir } }),
      ).not.toThrow();
    });
  });

  describe('production secrets', () => {
    it('names every missing secret in one error, not one boot at a time', () => {
      const production = { NODE_ENV: 'production', DATA_DIR: dataDir };
      const expected = [
        'JWT_SECRET is required when NODE_ENV=production',
        'MFA_ENCRYPTION_KEY is required when NODE_ENV=production',
        expect.stringMatching(/^PASSKEY_RP_ID is required when NODE_ENV=production/),
      ];
      expect(problemsOf(() => validateGatehouseSettings({ settings: production }))).toEqual(
        expected,
      );
      // AuthModule's own resolution, as the application boots, reports them alike.
      expect(problemsOf(() => GatehouseConfig.from({ settings: production }))).toEqual(expected);
    });

    it('names a weak secret, a malformed MFA key and any other bad variable together', () => {
      const problems = problemsOf(() =>
        validateGatehouseSettings({
          settings: {
            NODE_ENV: 'production',
            DATA_DIR: dataDir,
            JWT_SECRET: 'short',
            MFA_ENCRYPTION_KEY: 'not-32-bytes',
            BCRYPT_COST: '99',
            PASSKEYS: 'false',
          },
        }),
      );
      expect(problems).toEqual([
        expect.stringMatching(/^BCRYPT_COST/),
        'JWT_SECRET must be at least 32 bytes',
        expect.stringMatching(/^MFA_ENCRYPTION_KEY must be 32 bytes/),
      ]);
    });

    it('asks ES256 and RS256 for a signing key instead of a secret, with the MFA key', () => {
      const problems = problemsOf(() =>
        validateGatehouseSettings({
          settings: {
            NODE_ENV: 'production',
            DATA_DIR: dataDir,
            JWT_ALGORITHM: 'ES256',
            PASSKEY_RP_ID: 'example.com',
          },
        }),
      );
      expect(problems).toEqual([
        `JWT_ALGORITHM=ES256 needs a signing key in JWT_KEYS_DIR (${join(dataDir, 'keys')}) when NODE_ENV=production; create one with npm run keys:rotate`,
        'MFA_ENCRYPTION_KEY is required when NODE_ENV=production',
      ]);
      expect(
        problemsOf(() =>
          validateGatehouseSettings({
            settings: {
              NODE_ENV: 'production',
              DATA_DIR: dataDir,
              JWT_ALGORITHM: 'RS256',
              JWT_KEYS: '{}',
              MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
              PASSKEY_RP_ID: 'example.com',
            },
          }),
        ),
      ).toEqual([expect.stringMatching(/^JWT_KEYS must be a JSON array/)]);
    });

    it('generates nothing while only checking, in development', () => {
      validateGatehouseSettings({ settings: { NODE_ENV: 'development', DATA_DIR: dataDir } });
      expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow();
      expect(() => statSync(join(dataDir, 'mfa-key'))).toThrow();
    });
  });

  describe('switches for benchmarks and tests', () => {
    it('THROTTLE_DISABLED stops a production boot, naming it', () => {
      const settings = {
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        JWT_SECRET: strong,
        MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
        PASSKEY_RP_ID: 'example.com',
      };
      expect(() =>
        validateGatehouseSettings({ settings: { ...settings, THROTTLE_DISABLED: '1' } }),
      ).toThrow(/THROTTLE_DISABLED/);
      expect(() =>
        validateGatehouseSettings({ settings: { ...settings, THROTTLE_DISABLED: 'false' } }),
      ).not.toThrow();
      expect(() =>
        validateGatehouseSettings({
          settings: { NODE_ENV: 'test', DATA_DIR: dataDir, THROTTLE_DISABLED: '1' },
        }),
      ).not.toThrow();
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
});

describe('GatehouseConfigModule.fromOptions', () => {
  const OPTIONS = Symbol('options');
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: strong,
    MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
  };
  const configFor = async (passkeysOff: boolean) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        GatehouseConfigModule.fromOptions(
          OPTIONS,
          { providers: [{ provide: OPTIONS, useValue: { settings: production } }] },
          { passkeysOff },
        ),
      ],
    }).compile();
    return moduleRef.get(GatehouseConfig);
  };

  it('turns passkeys off when their routes are left out: production then needs no RP id', async () => {
    expect((await configFor(true)).get('passkeys').enabled).toBe(false);
    await expect(configFor(false)).rejects.toThrow(/PASSKEY_RP_ID is required/);
  });
});
