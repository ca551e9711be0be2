import { VerifiedAccessTokensService } from '../../tokens/verified-access-tokens.service';
import { TokenClaims, toAuthUser } from '../../tokens/token-claims';
import { ConfigService } from '@nestjs/config';
import { testAuthConfig } from '../../../test/support/unit';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { SigningKeys } from '../../tokens/signing-keys.service';
import { TokenType } from '../../tokens/entities/token.entity';
import { RevocationCheckService } from '../../tokens/revocation-check.service';
import { TokenSigner } from '../../tokens/token-signer';
import { JwtService } from '@nestjs/jwt';
import passport from 'passport';
import { VerifiedTokenCache } from '../../tokens/cache/verified-token.cache';
import { JwtStrategy } from './jwt.strategy';

describe('JwtStrategy', () => {
  const config = { get: () => testAuthConfig() } as unknown as ConfigService;
  const keys = new SigningKeys(config as never);
  const signer = new TokenSigner(keys, new JwtService(keys.jwtOptions()), config as never);
  const check = { assertActive: jest.fn() };
  const verified = { set: jest.fn() };
  const strategy = new JwtStrategy(
    signer,
    check as unknown as RevocationCheckService,
    verified as unknown as VerifiedTokenCache,
    { callerFrom: (c: TokenClaims) => toAuthUser(c) } as unknown as VerifiedAccessTokensService,
    keys,
  );
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'user-1',
    jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30',
    sid: '5b1f0c9e-3a7d-4e2b-8c64-9d0f1e2a3b4c',
    typ: TokenType.Access,
    roles: ['user'],
    iat: now,
    exp: now + 60,
    iss: 'unit-issuer',
    aud: 'unit-audience',
  };
  const bearer = (token: string) => ({
    headers: { authorization: `Bearer ${token}` },
    rawHeaders: ['Authorization', `Bearer ${token}`],
  });

  /** Runs passport-jwt's authenticate as passport would, and reports how it ended. */
  function authenticate(
    request: object,
  ): Promise<{ user: unknown } | { failed: unknown } | { error: unknown }> {
    return new Promise((resolve) => {
      const run = Object.create(strategy) as JwtStrategy & {
        success(user: unknown): void;
        fail(info: unknown): void;
        error(error: unknown): void;
        authenticate(request: object, options: object): void;
      };
      run.success = (user) => resolve({ user });
      run.fail = (info) => resolve({ failed: info });
      run.error = (error) => resolve({ error });
      run.authenticate(request, {});
    });
  }

  beforeEach(() => {
    check.assertActive.mockReset().mockResolvedValue(undefined);
    verified.set.mockReset();
  });

  it("registers under Gatehouse's own name, so a host's passport-jwt 'jwt' cannot replace it", () => {
    const registry = passport as unknown as { _strategy(name: string): unknown };
    expect(registry._strategy('gatehouse-jwt')).toBe(strategy);
    expect(registry._strategy('jwt')).toBeUndefined();
  });

  it('verifies the token, checks the store, caches it and returns the caller', async () => {
    const token = signer.sign(claims);
    await expect(authenticate(bearer(token))).resolves.toEqual({
      user: {
        id: 'user-1',
        sub: 'user-1',
        claims: {},
        roles: ['user'],
        tokenId: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30',
        sessionId: '5b1f0c9e-3a7d-4e2b-8c64-9d0f1e2a3b4c',
        expiresAt: now + 60,
      },
    });
    expect(check.assertActive).toHaveBeenCalledWith(
      expect.objectContaining({ jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30' }),
    );
    expect(verified.set).toHaveBeenCalledWith(
      token,
      expect.objectContaining({ jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30' }),
    );
  });

  it('fails without a bearer token, reading no other place', async () => {
    const token = signer.sign(claims);
    for (const request of [
      { headers: {}, rawHeaders: [] },
      {
        headers: {},
        rawHeaders: [],
        query: { access_token: token },
        body: { access_token: token },
      },
      {
        headers: { authorization: `Basic ${token}` },
        rawHeaders: ['Authorization', `Basic ${token}`],
      },
    ]) {
      await expect(authenticate(request)).resolves.toHaveProperty('failed');
    }
  });

  it('refuses a bad signature in jsonwebtoken, and a refresh token in validate, without asking the store or caching', async () => {
    const tampered = `${signer.sign(claims).slice(0, -2)}AA`;
    await expect(authenticate(bearer(tampered))).resolves.toEqual({
      failed: expect.objectContaining({ message: 'invalid signature' }),
    });
    const refresh = signer.sign({ ...claims, typ: TokenType.Refresh });
    await expect(authenticate(bearer(refresh))).resolves.toEqual({
      error: expect.objectContaining({ code: ErrorCode.InvalidToken }),
    });
    expect(check.assertActive).not.toHaveBeenCalled();
    expect(verified.set).not.toHaveBeenCalled();
  });

  it('fails a token whose header names a key source, before any key is chosen', async () => {
    const [, body, signature] = signer.sign(claims).split('.');
    const header = Buffer.from(
      JSON.stringify({ alg: 'HS256', typ: 'JWT', jku: 'http://x' }),
    ).toString('base64url');
    await expect(authenticate(bearer(`${header}.${body}.${signature}`))).resolves.toEqual({
      failed: expect.objectContaining({ message: 'header refused or kid unknown' }),
    });
  });

  it('refuses when the store says the token is not live', async () => {
    check.assertActive.mockRejectedValue(new DomainError(ErrorCode.InvalidToken, 'revoked'));
    await expect(authenticate(bearer(signer.sign(claims)))).resolves.toEqual({
      error: expect.objectContaining({ code: ErrorCode.InvalidToken }),
    });
  });
});
