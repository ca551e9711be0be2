import { ConfigService } from '@nestjs/config';
import { testAuthConfig } from '../../../test/support/unit';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { RevocationCheckService } from '../../tokens/revocation-check.service';
import { VerifiedTokenCache } from '../verified-token.cache';
import { JwtStrategy } from './jwt.strategy';

const claims = {
  sub: 'user-1',
  jti: 'jti-1',
  sid: 'session-1',
  typ: 'access',
  roles: ['user'],
  iat: 1,
  exp: 2,
  iss: 'unit-issuer',
  aud: 'unit-audience',
};

describe('JwtStrategy', () => {
  const config = { get: () => testAuthConfig() } as unknown as ConfigService;
  const check = { assertActive: jest.fn() };
  const verified = { set: jest.fn() };
  const strategy = new JwtStrategy(
    config as never,
    check as unknown as RevocationCheckService,
    verified as unknown as VerifiedTokenCache,
  );
  const request = {
    headers: { authorization: 'Bearer a.b.c' },
    rawHeaders: ['Authorization', 'Bearer a.b.c'],
  };
  beforeEach(() => check.assertActive.mockReset().mockResolvedValue(undefined));

  it('pins the algorithm, issuer and audience for passport-jwt', () => {
    const opts = (strategy as unknown as { _verifOpts: Record<string, unknown> })._verifOpts;
    expect(opts).toMatchObject({
      algorithms: ['HS256'],
      issuer: 'unit-issuer',
      audience: 'unit-audience',
      ignoreExpiration: false,
    });
  });

  it('checks the store and returns the caller', async () => {
    await expect(strategy.validate(request, claims)).resolves.toEqual({
      id: 'user-1',
      roles: ['user'],
      tokenId: 'jti-1',
      sessionId: 'session-1',
      expiresAt: 2,
    });
    expect(check.assertActive).toHaveBeenCalledWith(expect.objectContaining({ jti: 'jti-1' }));
    expect(verified.set).toHaveBeenCalledWith('a.b.c', expect.objectContaining({ jti: 'jti-1' }));
  });

  it('refuses a refresh token without asking the store', async () => {
    await expect(strategy.validate(request, { ...claims, typ: 'refresh' })).rejects.toMatchObject({
      code: ErrorCode.InvalidToken,
    });
    expect(check.assertActive).not.toHaveBeenCalled();
  });

  it('refuses when the store says the token is not live', async () => {
    check.assertActive.mockRejectedValue(new DomainError(ErrorCode.InvalidToken, 'revoked'));
    await expect(strategy.validate(request, claims)).rejects.toMatchObject({
      code: ErrorCode.InvalidToken,
    });
  });
});
