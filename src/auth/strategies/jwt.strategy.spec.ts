import { UsersService } from '../../users/users.service';
import { ConfigService } from '@nestjs/config';
import { testAuthConfig } from '../../../test/support/unit';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { SigningKeys } from '../../keys/signing-keys.service';
import { TokenType } from '../../tokens/entities/token.entity';
import { RevocationCheckService } from '../../tokens/revocation-check.service';
import { TokenSigner } from '../../tokens/token-signer';
import { VerifiedTokenCache } from '../../tokens/cache/verified-token.cache';
import { JwtStrategy } from './jwt.strategy';

describe('JwtStrategy', () => {
  const config = { get: () => testAuthConfig() } as unknown as ConfigService;
  const signer = new TokenSigner(new SigningKeys(config as never), config as never);
  const check = { assertActive: jest.fn() };
  const verified = { set: jest.fn() };
  const strategy = new JwtStrategy(
    signer,
    check as unknown as RevocationCheckService,
    verified as unknown as VerifiedTokenCache,
    { hostId: (sub: string) => sub } as unknown as UsersService,
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
  beforeEach(() => {
    check.assertActive.mockReset().mockResolvedValue(undefined);
    verified.set.mockReset();
  });

  it('verifies the token, checks the store and returns the caller', async () => {
    const token = signer.sign(claims);
    await expect(strategy.validate(bearer(token))).resolves.toEqual({
      id: 'user-1',
      sub: 'user-1',
      claims: {},
      roles: ['user'],
      tokenId: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30',
      sessionId: '5b1f0c9e-3a7d-4e2b-8c64-9d0f1e2a3b4c',
      expiresAt: now + 60,
    });
    expect(check.assertActive).toHaveBeenCalledWith(
      expect.objectContaining({ jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30' }),
    );
    expect(verified.set).toHaveBeenCalledWith(
      token,
      expect.objectContaining({ jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30' }),
    );
  });

  it('answers UNAUTHENTICATED when there is no bearer token', async () => {
    await expect(strategy.validate({ headers: {}, rawHeaders: [] })).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
  });

  it('refuses a refresh token, or a bad signature, without asking the store or caching', async () => {
    const refresh = signer.sign({ ...claims, typ: TokenType.Refresh });
    const tampered = `${signer.sign(claims).slice(0, -2)}AA`;
    for (const token of [refresh, tampered]) {
      await expect(strategy.validate(bearer(token))).rejects.toMatchObject({
        code: ErrorCode.InvalidToken,
      });
    }
    expect(check.assertActive).not.toHaveBeenCalled();
    expect(verified.set).not.toHaveBeenCalled();
  });

  it('refuses when the store says the token is not live', async () => {
    check.assertActive.mockRejectedValue(new DomainError(ErrorCode.InvalidToken, 'revoked'));
    await expect(strategy.validate(bearer(signer.sign(claims)))).rejects.toMatchObject({
      code: ErrorCode.InvalidToken,
    });
  });
});
