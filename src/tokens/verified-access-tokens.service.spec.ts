import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { UsersService } from '../users/users.service';
import { VerifiedTokenCache } from './cache/verified-token.cache';
import { TokenType } from './entities/token.entity';
import { RevocationCheckService } from './revocation-check.service';
import { VerifiedAccessTokensService } from './verified-access-tokens.service';

describe('VerifiedAccessTokensService', () => {
  const claims = {
    sub: '42',
    jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30',
    sid: '5b1f0c9e-3a7d-4e2b-8c64-9d0f1e2a3b4c',
    typ: TokenType.Access,
    roles: ['user'],
    iat: 1,
    exp: 2,
    iss: 'i',
    aud: 'a',
  };
  const verified = { get: jest.fn() };
  const check = { isLiveInCache: jest.fn(), assertActive: jest.fn() };
  const service = new VerifiedAccessTokensService(
    verified as unknown as VerifiedTokenCache,
    check as unknown as RevocationCheckService,
    { hostId: (sub: string) => Number(sub) } as unknown as UsersService,
  );
  beforeEach(() => {
    verified.get.mockReset();
    check.isLiveInCache.mockReset().mockReturnValue(false);
    check.assertActive.mockReset().mockResolvedValue(undefined);
  });

  it('knows nothing of a token not verified before', () => {
    verified.get.mockReturnValue(undefined);
    expect(service.callerOf('a.b.c')).toBeUndefined();
    expect(check.assertActive).not.toHaveBeenCalled();
  });

  it('answers synchronously, with the host-typed id, when the cache shows the token live', () => {
    verified.get.mockReturnValue(claims);
    check.isLiveInCache.mockReturnValue(true);
    expect(service.callerOf('a.b.c')).toMatchObject({ id: 42, sub: '42', tokenId: claims.jti });
    expect(check.assertActive).not.toHaveBeenCalled();
  });

  it('asks the token store otherwise, and rejects a revoked token', async () => {
    verified.get.mockReturnValue(claims);
    await expect(service.callerOf('a.b.c')).resolves.toMatchObject({ id: 42 });
    check.assertActive.mockRejectedValue(new DomainError(ErrorCode.InvalidToken, 'revoked'));
    await expect(service.callerOf('a.b.c')).rejects.toMatchObject({
      code: ErrorCode.InvalidToken,
    });
  });
});
