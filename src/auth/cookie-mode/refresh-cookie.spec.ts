import { loadPasskeysConfig } from '../../config/passkeys.config';
import { loadMailConfig } from '../../config/account.config';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { loadThrottleConfig } from '../../config/throttle.config';
import { loadTokensConfig } from '../../config/tokens.config';
import { testAccountConfig, testAuthConfig } from '../../../test/support/unit';
import { ErrorCode } from '../../common/errors/domain-error';
import { TokenPairResponse } from '../../tokens/dto/token-pair.response';
import { CookieRequest, CookieResponse, RefreshCookie } from './refresh-cookie';

const REFRESH_TTL = 7200;

function refreshCookie(env: Record<string, string> = {}): RefreshCookie {
  return new RefreshCookie(
    GatehouseConfig.of({
      auth: testAuthConfig({ refreshTtlSeconds: REFRESH_TTL }),
      tokens: loadTokensConfig({}),
      throttle: loadThrottleConfig({}),
      account: testAccountConfig({ AUTH_COOKIE_ORIGINS: 'https://app.example.com', ...env }),
      mail: loadMailConfig({}),
      passkeys: loadPasskeysConfig({}),
    }),
  );
}

const cookieMode = () => refreshCookie({ AUTH_COOKIE_MODE: 'true' });
const bearerMode = () => refreshCookie();

/** Records every header set, as Express's `res.header()` would receive them. */
function fakeResponse() {
  const headers: [string, string][] = [];
  const response: CookieResponse = { header: (name, value) => headers.push([name, value]) };
  const setCookies = () =>
    headers.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, v]) => v);
  return { response, headers, setCookies };
}

const request = (cookie?: string | string[]): CookieRequest => ({ headers: { cookie } });

const pair = (): TokenPairResponse => ({
  access_token: 'access.jwt.value',
  refresh_token: 'refresh.jwt.value',
  token_type: 'Bearer',
  expires_in: 900,
  refresh_expires_in: REFRESH_TTL,
});

/** `name=value; Attr; Attr=x` → the value and the attributes, names lower-cased. */
function parseSetCookie(header: string) {
  const [first, ...attrs] = header.split(';').map((p) => p.trim());
  const at = first.indexOf('=');
  const attributes = new Map<string, string | true>(
    attrs.map((a): [string, string | true] => {
      const eq = a.indexOf('=');
      return eq < 0 ? [a.toLowerCase(), true] : [a.slice(0, eq).toLowerCase(), a.slice(eq + 1)];
    }),
  );
  return { name: first.slice(0, at), value: first.slice(at + 1), attributes };
}

describe('RefreshCookie', () => {
  describe('deliver', () => {
    it('in cookie mode moves the refresh token into one httpOnly, SameSite=Strict, Secure cookie', () => {
      const { response, setCookies } = fakeResponse();
      const body = cookieMode().deliver(response, pair());

      expect(body).toEqual({
        access_token: 'access.jwt.value',
        token_type: 'Bearer',
        expires_in: 900,
        refresh_expires_in: REFRESH_TTL,
      });
      expect(body).not.toHaveProperty('refresh_token');
      expect(setCookies()).toHaveLength(1);
      const cookie = parseSetCookie(setCookies()[0]);
      expect(cookie.name).toBe('__Secure-gatehouse_refresh');
      expect(cookie.value).toBe('refresh.jwt.value');
      expect(cookie.attributes.get('httponly')).toBe(true);
      expect(cookie.attributes.get('samesite')).toBe('Strict');
      expect(cookie.attributes.get('path')).toBe('/auth');
      expect(cookie.attributes.get('max-age')).toBe(String(REFRESH_TTL));
      expect(cookie.attributes.get('secure')).toBe(true);
    });

    it('leaves Secure off when AUTH_COOKIE_SECURE=false (local development over http)', () => {
      const { response, setCookies } = fakeResponse();
      refreshCookie({ AUTH_COOKIE_MODE: 'true', AUTH_COOKIE_SECURE: 'false' }).deliver(
        response,
        pair(),
      );
      const cookie = parseSetCookie(setCookies()[0]);
      expect(cookie.attributes.has('secure')).toBe(false);
      expect(cookie.attributes.get('httponly')).toBe(true);
    });

    it('uses AUTH_COOKIE_NAME', () => {
      const { response, setCookies } = fakeResponse();
      refreshCookie({ AUTH_COOKIE_MODE: 'true', AUTH_COOKIE_NAME: 'app_rt' }).deliver(
        response,
        pair(),
      );
      expect(parseSetCookie(setCookies()[0]).name).toBe('app_rt');
    });

    it('in bearer mode returns the pair untouched and sets no header', () => {
      const { response, headers } = fakeResponse();
      const original = pair();
      expect(bearerMode().deliver(response, original)).toBe(original);
      expect(original.refresh_token).toBe('refresh.jwt.value');
      expect(headers).toEqual([]);
    });
  });

  describe('read', () => {
    const cookie = cookieMode();

    it('finds our cookie among others', () => {
      expect(cookie.read(request('a=1; __Secure-gatehouse_refresh=xyz; b=2'))).toBe('xyz');
      expect(cookie.read(request('__Secure-gatehouse_refresh=xyz'))).toBe('xyz');
      expect(cookie.read(request('a=1;__Secure-gatehouse_refresh=xyz'))).toBe('xyz');
    });

    it('finds it in a header given as several lines', () => {
      expect(cookie.read(request(['a=1', '__Secure-gatehouse_refresh=xyz']))).toBe('xyz');
    });

    it('ignores a cookie whose name merely ends or starts with ours', () => {
      expect(cookie.read(request('x__Secure-gatehouse_refresh=1'))).toBeUndefined();
      expect(cookie.read(request('__Secure-gatehouse_refresh_old=1'))).toBeUndefined();
      expect(
        cookie.read(request('x__Secure-gatehouse_refresh=1; __Secure-gatehouse_refresh=mine')),
      ).toBe('mine');
    });

    it('keeps an equals sign inside the value', () => {
      expect(cookie.read(request('__Secure-gatehouse_refresh=a=b'))).toBe('a=b');
    });

    it('finds nothing without a cookie header, in an empty one, or for an empty value', () => {
      expect(cookie.read(request())).toBeUndefined();
      expect(cookie.read(request(''))).toBeUndefined();
      expect(cookie.read(request('a=1; b=2'))).toBeUndefined();
      expect(cookie.read(request('__Secure-gatehouse_refresh='))).toBeUndefined();
      expect(cookie.read(request('__Secure-gatehouse_refresh'))).toBeUndefined();
    });

    it('honours AUTH_COOKIE_NAME', () => {
      const custom = refreshCookie({ AUTH_COOKIE_MODE: 'true', AUTH_COOKIE_NAME: 'app_rt' });
      expect(custom.read(request('__Secure-gatehouse_refresh=default; app_rt=custom'))).toBe(
        'custom',
      );
      expect(custom.read(request('__Secure-gatehouse_refresh=default'))).toBeUndefined();
    });
  });

  describe('tokenOf', () => {
    it("prefers the body's refresh token to the cookie's", () => {
      expect(
        cookieMode().tokenOf(request('__Secure-gatehouse_refresh=from-cookie'), 'from-body'),
      ).toBe('from-body');
      expect(bearerMode().tokenOf(request(), 'from-body')).toBe('from-body');
    });

    it('in cookie mode falls back on the cookie', () => {
      expect(
        cookieMode().tokenOf(request('__Secure-gatehouse_refresh=from-cookie'), undefined),
      ).toBe('from-cookie');
    });

    it('in cookie mode answers a missing token as a missing session (INVALID_REFRESH_TOKEN)', () => {
      expect(() => cookieMode().tokenOf(request('a=1'), undefined)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidRefreshToken }),
      );
    });

    it('in bearer mode ignores the cookie and answers a missing token as VALIDATION_FAILED', () => {
      expect(() =>
        bearerMode().tokenOf(request('__Secure-gatehouse_refresh=from-cookie'), undefined),
      ).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
    });
  });

  describe('clear', () => {
    it('in cookie mode expires the cookie at once, with the attributes it was set with', () => {
      const { response, setCookies } = fakeResponse();
      cookieMode().clear(response);
      expect(setCookies()).toHaveLength(1);
      const cookie = parseSetCookie(setCookies()[0]);
      expect(cookie).toMatchObject({ name: '__Secure-gatehouse_refresh', value: '' });
      expect(cookie.attributes.get('max-age')).toBe('0');
      // A browser deletes only the cookie with the same name and path.
      expect(cookie.attributes.get('path')).toBe('/auth');
    });

    it('in bearer mode sets nothing', () => {
      const { response, headers } = fakeResponse();
      bearerMode().clear(response);
      expect(headers).toEqual([]);
    });
  });
});
