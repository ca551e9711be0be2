import { TokenType } from './entities/token.entity';
import { parseClaims } from './token-claims';

const valid = {
  sub: 'user-1',
  jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30',
  sid: '5b1f0c9e-3a7d-4e2b-8c64-9d0f1e2a3b4c',
  typ: 'access',
  roles: ['user'],
  iat: 1000,
  exp: 1900,
  iss: 'gatehouse',
  aud: 'api',
};

describe('parseClaims', () => {
  it('returns the claims of a complete token of the expected type', () => {
    expect(parseClaims(valid, TokenType.Access)).toEqual(valid);
  });

  it('keeps the sign-in time (auth_time), which cannot be later than the token itself', () => {
    expect(parseClaims({ ...valid, auth_time: 900 }, TokenType.Access)).toEqual({
      ...valid,
      auth_time: 900,
    });
    expect(parseClaims({ ...valid, auth_time: 1000 }, TokenType.Access)).toMatchObject({
      auth_time: 1000,
    });
    for (const authTime of [1001, '900', null, Number.NaN]) {
      expect(parseClaims({ ...valid, auth_time: authTime }, TokenType.Access)).toBeUndefined();
    }
  });

  it('refuses a refresh token where an access token is expected, and the reverse', () => {
    expect(parseClaims(valid, TokenType.Refresh)).toBeUndefined();
    expect(parseClaims({ ...valid, typ: 'refresh' }, TokenType.Access)).toBeUndefined();
  });

  it.each(['sub', 'jti', 'sid', 'exp', 'iat', 'iss', 'aud', 'roles', 'typ'])(
    'refuses a token without %s',
    (claim) => {
      const { [claim]: _dropped, ...rest } = valid as Record<string, unknown>;
      expect(parseClaims(rest, TokenType.Access)).toBeUndefined();
    },
  );

  it.each([
    ['a string exp', { exp: '1900' }],
    ['an empty sub', { sub: '' }],
    ['a jti that is no UUID', { jti: "x' OR '1'='1" }],
    ['a sid that is no UUID', { sid: 'session-1' }],
    ['an upper-case jti (never issued)', { jti: '0E4A7C52-8D3B-4F6A-9A51-2C8E9B1D7F30' }],
    ['roles that are not strings', { roles: [1] }],
    ['an array audience', { aud: ['api'] }],
  ])('refuses %s', (_label, patch) => {
    expect(parseClaims({ ...valid, ...patch }, TokenType.Access)).toBeUndefined();
  });

  it('refuses non-objects', () => {
    expect(parseClaims('token', TokenType.Access)).toBeUndefined();
    expect(parseClaims(null, TokenType.Access)).toBeUndefined();
  });
});
