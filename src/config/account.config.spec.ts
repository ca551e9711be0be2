import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAccountConfig, loadMailConfig } from './account.config';
import { ConfigValidationError } from './env.validation';

/** The error `fn` throws (the test fails if it throws nothing). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const validationErrorNaming = (name: string) =>
  expect.objectContaining({
    name: 'ConfigValidationError',
    message: expect.stringContaining(name),
  });

// 0xfb bytes encode as `+/v7…` in base64 and `-_v7…` in base64url: both alphabets' extra symbols.
const KEY = Buffer.alloc(32, 0xfb);

describe('account configuration', () => {
  let dataDir: string;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-account-config-'));
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('loadAccountConfig', () => {
    it('has working defaults without any variable set', () => {
      const config = loadAccountConfig({ DATA_DIR: dataDir });
      expect(config).toMatchObject({
        appUrl: 'http://localhost:3000',
        appName: 'Gatehouse',
        requireVerifiedEmail: false,
        verificationTtlSeconds: 86_400,
        resetTtlSeconds: 1_800,
        resendIntervalSeconds: 60,
        mfa: { tokenTtlSeconds: 300 },
        cookie: {
          enabled: false,
          name: '__Secure-gatehouse_refresh',
          secure: true,
          // Cookie mode is off: no allow-list is needed, nor parsed.
          allowedOrigins: [],
        },
      });
    });

    it('points the default APP_URL at PORT', () => {
      expect(loadAccountConfig({ DATA_DIR: dataDir, PORT: '8080' }).appUrl).toBe(
        'http://localhost:8080',
      );
    });

    it('reads every setting', () => {
      const config = loadAccountConfig({
        DATA_DIR: dataDir,
        APP_URL: 'https://app.example.com/portal',
        APP_NAME: 'Acme',
        AUTH_REQUIRE_VERIFIED_EMAIL: 'true',
        EMAIL_VERIFICATION_TTL: '2d',
        PASSWORD_RESET_TTL: '15m',
        MAIL_RESEND_INTERVAL: '0',
        MFA_TOKEN_TTL: '120',
        AUTH_COOKIE_MODE: '1',
        AUTH_COOKIE_SECURE: 'false',
        AUTH_COOKIE_NAME: 'acme_rt',
      });
      expect(config).toMatchObject({
        appUrl: 'https://app.example.com/portal',
        appName: 'Acme',
        requireVerifiedEmail: true,
        verificationTtlSeconds: 172_800,
        resetTtlSeconds: 900,
        resendIntervalSeconds: 0,
        mfa: { tokenTtlSeconds: 120 },
        cookie: {
          enabled: true,
          secure: false,
          name: 'acme_rt',
          allowedOrigins: ['https://app.example.com'],
        },
      });
    });

    it('drops the trailing slashes of APP_URL, so mailed links do not get `//`', () => {
      expect(
        loadAccountConfig({ DATA_DIR: dataDir, APP_URL: 'https://app.example.com/' }).appUrl,
      ).toBe('https://app.example.com');
      expect(
        loadAccountConfig({ DATA_DIR: dataDir, APP_URL: 'https://example.com/app//' }).appUrl,
      ).toBe('https://example.com/app');
    });

    it.each([
      ['APP_URL', 'ftp://app.example.com'],
      ['APP_URL', 'app.example.com'],
      ['AUTH_COOKIE_NAME', 'bad name;'],
      ['PASSWORD_RESET_TTL', 'soon'],
      ['AUTH_COOKIE_MODE', 'yes'],
    ])('refuses a bad %s (%s)', (name, value) => {
      expect(thrownBy(() => loadAccountConfig({ DATA_DIR: dataDir, [name]: value }))).toEqual(
        validationErrorNaming(name),
      );
    });

    it('refuses AUTH_COOKIE_SECURE=false in production cookie mode, and a __Host- cookie name', () => {
      const production = {
        DATA_DIR: dataDir,
        NODE_ENV: 'production',
        AUTH_COOKIE_MODE: 'true',
        APP_URL: 'https://app.example.com',
      };
      expect(
        thrownBy(() => loadAccountConfig({ ...production, AUTH_COOKIE_SECURE: 'false' })),
      ).toEqual(validationErrorNaming('AUTH_COOKIE_SECURE'));
      expect(loadAccountConfig({ ...production }).cookie.secure).toBe(true);
      expect(
        thrownBy(() =>
          loadAccountConfig({ DATA_DIR: dataDir, AUTH_COOKIE_NAME: '__Host-refresh' }),
        ),
      ).toEqual(validationErrorNaming('AUTH_COOKIE_NAME'));
    });

    it('names the cookie with the strongest prefix its attributes allow: __Secure- when Secure', () => {
      expect(loadAccountConfig({ DATA_DIR: dataDir }).cookie.name).toBe(
        '__Secure-gatehouse_refresh',
      );
      const plainHttp = {
        DATA_DIR: dataDir,
        AUTH_COOKIE_MODE: 'true',
        AUTH_COOKIE_SECURE: 'false',
      };
      expect(loadAccountConfig(plainHttp).cookie.name).toBe('gatehouse_refresh');
      expect(
        thrownBy(() => loadAccountConfig({ ...plainHttp, AUTH_COOKIE_NAME: '__Secure-rt' })),
      ).toEqual(validationErrorNaming('AUTH_COOKIE_NAME'));
      expect(loadAccountConfig({ DATA_DIR: dataDir, AUTH_COOKIE_NAME: 'app_rt' }).cookie.name).toBe(
        'app_rt',
      );
    });

    it.each(['EMAIL_VERIFICATION_TTL', 'PASSWORD_RESET_TTL', 'MFA_TOKEN_TTL'])(
      'refuses %s=0',
      (name) => {
        expect(thrownBy(() => loadAccountConfig({ DATA_DIR: dataDir, [name]: '0' }))).toEqual(
          validationErrorNaming(name),
        );
      },
    );

    describe('cookie origins', () => {
      it("defaults to CORS_ORIGINS and APP_URL's origin, normalised and without duplicates", () => {
        const { cookie } = loadAccountConfig({
          DATA_DIR: dataDir,
          AUTH_COOKIE_MODE: 'true',
          CORS_ORIGINS: 'https://App.Example.com/, https://admin.example.com',
          APP_URL: 'https://app.example.com/portal/',
        });
        expect(cookie.allowedOrigins).toEqual([
          'https://app.example.com',
          'https://admin.example.com',
        ]);
      });

      it('takes AUTH_COOKIE_ORIGINS instead when it is set', () => {
        const { cookie } = loadAccountConfig({
          DATA_DIR: dataDir,
          AUTH_COOKIE_MODE: 'true',
          AUTH_COOKIE_ORIGINS: ' https://App.Example.com/ ,http://localhost:5173, ',
          CORS_ORIGINS: 'https://admin.example.com',
        });
        expect(cookie.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
      });

      // `localhost:3000` parses as the scheme `localhost:`, whose origin is "null": what
      // sandboxed frames send. Allowing it would let any of them use the cookie.
      it.each([
        'not a url',
        'app.example.com',
        'https://',
        'localhost:3000',
        'app.example.com:443',
        'file:///x',
      ])('refuses AUTH_COOKIE_ORIGINS=%j at load, naming the variable', (value) => {
        const error = thrownBy(() =>
          loadAccountConfig({
            DATA_DIR: dataDir,
            AUTH_COOKIE_MODE: 'true',
            AUTH_COOKIE_ORIGINS: value,
          }),
        );
        expect(error).toEqual(validationErrorNaming('AUTH_COOKIE_ORIGINS'));
      });

      it('refuses a CORS_ORIGINS entry that is no origin in cookie mode, naming it', () => {
        const error = thrownBy(() =>
          loadAccountConfig({
            DATA_DIR: dataDir,
            AUTH_COOKIE_MODE: 'true',
            CORS_ORIGINS: 'localhost:3000',
          }),
        );
        expect(error).toEqual(validationErrorNaming('CORS_ORIGINS'));
      });

      it('does not parse origins at all outside cookie mode', () => {
        expect(
          loadAccountConfig({ DATA_DIR: dataDir, CORS_ORIGINS: '*' }).cookie.allowedOrigins,
        ).toEqual([]);
      });
    });

    describe('MFA_ENCRYPTION_KEY', () => {
      it.each([
        ['64 hex digits', KEY.toString('hex')],
        ['64 upper-case hex digits', KEY.toString('hex').toUpperCase()],
        ['base64 with padding', KEY.toString('base64')],
        ['base64url', KEY.toString('base64url')],
        ['base64 with a trailing newline', `${KEY.toString('base64')}\n`],
      ])('accepts 32 bytes as %s', (_form, value) => {
        const config = loadAccountConfig({ DATA_DIR: dataDir, MFA_ENCRYPTION_KEY: value });
        expect(config.mfa.encryptionKey().equals(KEY)).toBe(true);
      });

      it.each([
        ['31 bytes in base64', randomBytes(31).toString('base64')],
        ['33 bytes in base64', randomBytes(33).toString('base64')],
        ['31 bytes in hex', randomBytes(31).toString('hex')],
        ['33 bytes in hex', randomBytes(33).toString('hex')],
        ['a placeholder', 'changeme'],
        ['garbage of the right length', `${'!'.repeat(43)}`],
        ['a passphrase', 'correct horse battery staple and more words to be long'],
      ])('refuses %s when the configuration loads, naming the variable', (_form, value) => {
        // At load, not at first use: the CLIs, which never use the key, report it too.
        const error = thrownBy(() =>
          loadAccountConfig({ DATA_DIR: dataDir, MFA_ENCRYPTION_KEY: value }),
        );
        expect(error).toBeInstanceOf(ConfigValidationError);
        expect(error).toEqual(validationErrorNaming('MFA_ENCRYPTION_KEY'));
        // The message must not echo the secret back into the boot log.
        expect((error as Error).message).not.toContain(value);
      });

      it('in production without a key loads, and stops at the first use of the key', () => {
        const config = loadAccountConfig({ NODE_ENV: 'production', DATA_DIR: dataDir });
        const error = thrownBy(() => config.mfa.encryptionKey());
        expect(error).toBeInstanceOf(ConfigValidationError);
        expect(error).toEqual(validationErrorNaming('MFA_ENCRYPTION_KEY'));
        // Every later use too, and no development key is written behind the operator's back.
        expect(() => config.mfa.encryptionKey()).toThrow(ConfigValidationError);
        expect(existsSync(join(dataDir, 'mfa-key'))).toBe(false);
      });

      it('in production uses the key given', () => {
        const config = loadAccountConfig({
          NODE_ENV: 'production',
          DATA_DIR: dataDir,
          MFA_ENCRYPTION_KEY: KEY.toString('hex'),
        });
        expect(config.mfa.encryptionKey().equals(KEY)).toBe(true);
      });

      it('in development without a key generates one into DATA_DIR/mfa-key (0600) on first use', () => {
        const dir = join(dataDir, 'not', 'yet', 'there');
        const config = loadAccountConfig({ DATA_DIR: dir });
        // Lazy: loading the configuration (as the CLIs do) writes nothing.
        expect(existsSync(join(dir, 'mfa-key'))).toBe(false);

        const key = config.mfa.encryptionKey();
        expect(key).toHaveLength(32);
        const file = join(dir, 'mfa-key');
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(Buffer.from(readFileSync(file, 'utf8'), 'base64url').equals(key)).toBe(true);
        expect(config.mfa.encryptionKey()).toBe(key);

        // Says so, with the path and without the key.
        expect(warn).toHaveBeenCalledTimes(1);
        const [message] = warn.mock.calls[0] as [string];
        expect(message).toContain(file);
        expect(message).not.toContain(key.toString('base64url'));
      });

      it('in development reuses the generated key on the next start', () => {
        const first = loadAccountConfig({ DATA_DIR: dataDir }).mfa.encryptionKey();
        const second = loadAccountConfig({ DATA_DIR: dataDir }).mfa.encryptionKey();
        expect(second.equals(first)).toBe(true);
        expect(warn).toHaveBeenCalledTimes(1);
      });

      it('in development reads a key file written by hand, with a trailing newline', () => {
        writeFileSync(join(dataDir, 'mfa-key'), `${KEY.toString('hex')}\n`, { mode: 0o600 });
        expect(loadAccountConfig({ DATA_DIR: dataDir }).mfa.encryptionKey().equals(KEY)).toBe(true);
      });

      it('prefers MFA_ENCRYPTION_KEY to a key file', () => {
        writeFileSync(join(dataDir, 'mfa-key'), randomBytes(32).toString('base64url'), {
          mode: 0o600,
        });
        const config = loadAccountConfig({
          DATA_DIR: dataDir,
          MFA_ENCRYPTION_KEY: KEY.toString('base64url'),
        });
        expect(config.mfa.encryptionKey().equals(KEY)).toBe(true);
      });
    });
  });

  describe('loadMailConfig', () => {
    it('has defaults: the outbox in DATA_DIR, five attempts, a 2 s first retry', () => {
      expect(loadMailConfig({ DATA_DIR: dataDir })).toEqual({
        smtpUrl: undefined,
        from: 'Gatehouse <no-reply@localhost>',
        outboxDir: join(dataDir, 'outbox'),
        maxAttempts: 5,
        retryBaseMs: 2_000,
      });
    });

    it('names the sender after APP_NAME and reads the other settings', () => {
      expect(
        loadMailConfig({ DATA_DIR: dataDir, APP_NAME: 'Acme', MAIL_RETRY_DELAY: '500ms' }),
      ).toMatchObject({
        from: 'Acme <no-reply@localhost>',
        retryBaseMs: 500,
      });
      expect(
        loadMailConfig({
          SMTP_URL: 'smtps://user:pass@mail.example.com:465',
          MAIL_FROM: 'x@example.com',
        }),
      ).toMatchObject({ smtpUrl: 'smtps://user:pass@mail.example.com:465', from: 'x@example.com' });
    });

    it.each(['http://x', 'mail.example.com:25', 'smtp:/mail.example.com'])(
      'refuses SMTP_URL=%s',
      (value) => {
        expect(thrownBy(() => loadMailConfig({ SMTP_URL: value }))).toEqual(
          validationErrorNaming('SMTP_URL'),
        );
      },
    );
  });
});
