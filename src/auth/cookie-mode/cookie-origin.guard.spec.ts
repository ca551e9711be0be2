import { loadPasskeysConfig } from '../../config/passkeys.config';
import { httpContext } from '../../../test/support/http-context';
import { testAccountConfig, testAuthConfig } from '../../../test/support/unit';
import { ErrorCode } from '../../common/errors/domain-error';
import { loadMailConfig } from '../../config/account.config';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { loadThrottleConfig } from '../../config/throttle.config';
import { loadTokensConfig } from '../../config/tokens.config';
import { CookieOriginGuard } from './cookie-origin.guard';
import { RefreshCookie } from './refresh-cookie';

const APP = 'https://app.example.com';
const COOKIE = '__Secure-gatehouse_refresh=some.refresh.token';

function guardFor(env: Record<string, string>): CookieOriginGuard {
  const config = GatehouseConfig.of({
    auth: testAuthConfig(),
    tokens: loadTokensConfig({}),
    throttle: loadThrottleConfig({}),
    account: testAccountConfig(env),
    mail: loadMailConfig({}),
    passkeys: loadPasskeysConfig({}),
  });
  return new CookieOriginGuard(new RefreshCookie(config), config);
}

const cookieMode = () => guardFor({ AUTH_COOKIE_MODE: 'true', AUTH_COOKIE_ORIGINS: APP });

function context(headers: { origin?: string; cookie?: string }) {
  return httpContext({ headers });
}

const refused = expect.objectContaining({ code: ErrorCode.OriginNotAllowed });

describe('CookieOriginGuard', () => {
  it('in bearer mode admits every request: there is no cookie to protect', () => {
    const guard = guardFor({ AUTH_COOKIE_ORIGINS: APP });
    expect(guard.canActivate(context({ origin: 'https://evil.example', cookie: COOKIE }))).toBe(
      true,
    );
    expect(guard.canActivate(context({ origin: 'null' }))).toBe(true);
    expect(guard.canActivate(context({ cookie: COOKIE }))).toBe(true);
  });

  describe('in cookie mode', () => {
    const guard = cookieMode();

    it('admits an allowed Origin, with the cookie or without it', () => {
      expect(guard.canActivate(context({ origin: APP, cookie: COOKIE }))).toBe(true);
      expect(guard.canActivate(context({ origin: APP }))).toBe(true);
    });

    it('refuses a foreign Origin, even without the cookie (a login would set one)', () => {
      expect(() =>
        guard.canActivate(context({ origin: 'https://evil.example', cookie: COOKIE })),
      ).toThrow(refused);
      expect(() => guard.canActivate(context({ origin: 'https://evil.example' }))).toThrow(refused);
    });

    it('refuses origins that only resemble an allowed one', () => {
      for (const origin of [
        'http://app.example.com',
        'https://app.example.com:8443',
        'https://app.example.com.evil.example',
        'https://evil-app.example.com',
        `${APP}/`,
        '',
      ]) {
        expect(() => guard.canActivate(context({ origin, cookie: COOKIE }))).toThrow(refused);
      }
    });

    it('refuses the opaque origin `null` (sandboxed frames, file: pages, some redirects)', () => {
      expect(() => guard.canActivate(context({ origin: 'null', cookie: COOKIE }))).toThrow(refused);
      expect(() => guard.canActivate(context({ origin: 'null' }))).toThrow(refused);
    });

    it('refuses a request carrying the cookie without any Origin', () => {
      expect(() => guard.canActivate(context({ cookie: COOKIE }))).toThrow(refused);
      expect(() => guard.canActivate(context({ cookie: `a=1; ${COOKIE}; b=2` }))).toThrow(refused);
    });

    it('admits a request with neither Origin nor our cookie: a client that is not a browser', () => {
      expect(guard.canActivate(context({}))).toBe(true);
      expect(guard.canActivate(context({ cookie: 'other=1; x__Secure-gatehouse_refresh=2' }))).toBe(
        true,
      );
    });

    it('refuses with a 403 naming the origin in the logged reason only, not in the message sent', () => {
      let error: unknown;
      try {
        guard.canActivate(context({ origin: 'https://evil.example' }));
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: ErrorCode.OriginNotAllowed, status: 403 });
      expect(error).toMatchObject({
        internalReason: expect.stringContaining('https://evil.example'),
      });
      expect((error as Error).message).not.toContain('evil');
    });
  });

  describe('allow-list', () => {
    it("defaults to CORS_ORIGINS and APP_URL's origin when AUTH_COOKIE_ORIGINS is unset", () => {
      const guard = guardFor({
        AUTH_COOKIE_MODE: 'true',
        CORS_ORIGINS: 'https://admin.example.com, https://App.Example.com/',
        APP_URL: 'https://portal.example.org/app/',
      });
      for (const origin of ['https://admin.example.com', APP, 'https://portal.example.org']) {
        expect(guard.canActivate(context({ origin, cookie: COOKIE }))).toBe(true);
      }
      expect(() =>
        guard.canActivate(context({ origin: 'https://evil.example', cookie: COOKIE })),
      ).toThrow(refused);
    });

    it('replaces the default by AUTH_COOKIE_ORIGINS, normalised as browsers send Origin', () => {
      const guard = guardFor({
        AUTH_COOKIE_MODE: 'true',
        AUTH_COOKIE_ORIGINS: 'https://App.Example.com/, http://localhost:5173',
        CORS_ORIGINS: 'https://admin.example.com',
        APP_URL: 'https://portal.example.org',
      });
      expect(guard.canActivate(context({ origin: APP, cookie: COOKIE }))).toBe(true);
      expect(guard.canActivate(context({ origin: 'http://localhost:5173', cookie: COOKIE }))).toBe(
        true,
      );
      expect(() =>
        guard.canActivate(context({ origin: 'https://admin.example.com', cookie: COOKIE })),
      ).toThrow(refused);
      expect(() =>
        guard.canActivate(context({ origin: 'https://portal.example.org', cookie: COOKIE })),
      ).toThrow(refused);
    });

    it("falls back on APP_URL's default (http://localhost:PORT) when nothing else is set", () => {
      const guard = guardFor({ AUTH_COOKIE_MODE: 'true', PORT: '4000' });
      expect(guard.canActivate(context({ origin: 'http://localhost:4000', cookie: COOKIE }))).toBe(
        true,
      );
      expect(() =>
        guard.canActivate(context({ origin: 'http://localhost:3000', cookie: COOKIE })),
      ).toThrow(refused);
    });
  });
});
