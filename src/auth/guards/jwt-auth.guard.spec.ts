import { Controller, Get, Logger } from '@nestjs/common';
import { UsersService } from '../../users/users.service';
import { Reflector } from '@nestjs/core';
import { httpContext } from '../../../test/support/http-context';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import {
  INVALID_ACCESS_TOKEN,
  RevocationCheckService,
} from '../../tokens/revocation-check.service';
import { Public } from '../decorators/public.decorator';
import { VerifiedTokenCache } from '../../tokens/cache/verified-token.cache';
import { JwtAuthGuard } from './jwt-auth.guard';

@Controller()
class MixedController {
  @Public() @Get() open() {}
  @Get() closed() {}
}

@Public()
@Controller()
class PublicController {
  @Get() anything() {}
}

const withBearer = () => ({
  headers: { authorization: 'Bearer a.b.c' },
  rawHeaders: ['Authorization', 'Bearer a.b.c'],
});
const context = (
  cls: object,
  handler: (...args: unknown[]) => unknown,
  request: object = withBearer(),
) => httpContext(request, { cls, handler });

describe('JwtAuthGuard', () => {
  const verified = { get: jest.fn() };
  const check = { assertActive: jest.fn(), isLiveInCache: jest.fn() };
  const guard = new JwtAuthGuard(
    new Reflector(),
    verified as unknown as VerifiedTokenCache,
    check as unknown as RevocationCheckService,
    { hostId: (sub: string) => sub } as unknown as UsersService,
  );
  // The passport half: stubbed here, exercised for real by the e2e suites.
  const passport = jest.spyOn(AuthGuard('jwt').prototype, 'canActivate');
  beforeEach(() => {
    passport.mockReset().mockResolvedValue(true);
    verified.get.mockReset().mockReturnValue(undefined);
    check.assertActive.mockReset().mockResolvedValue(undefined);
    check.isLiveInCache.mockReset().mockReturnValue(false);
  });

  it('skips authentication on a @Public() handler', () => {
    expect(guard.canActivate(context(MixedController, MixedController.prototype.open))).toBe(true);
    expect(passport).not.toHaveBeenCalled();
  });

  it('skips authentication on every handler of a @Public() controller', () => {
    expect(guard.canActivate(context(PublicController, PublicController.prototype.anything))).toBe(
      true,
    );
    expect(passport).not.toHaveBeenCalled();
  });

  it('authenticates any other route', async () => {
    await expect(
      guard.canActivate(context(MixedController, MixedController.prototype.closed)),
    ).resolves.toBe(true);
    expect(passport).toHaveBeenCalledTimes(1);
  });

  it('answers UNAUTHENTICATED without a bearer token, before passport', () => {
    expect(() =>
      guard.canActivate(
        context(MixedController, MixedController.prototype.closed, { headers: {} }),
      ),
    ).toThrow(expect.objectContaining({ code: ErrorCode.Unauthenticated }));
    expect(passport).not.toHaveBeenCalled();
  });

  it('authenticates a request once, even when applied globally and per route', async () => {
    const request = withBearer();
    await guard.canActivate(context(MixedController, MixedController.prototype.closed, request));
    await guard.canActivate(context(MixedController, MixedController.prototype.closed, request));
    expect(passport).toHaveBeenCalledTimes(1);
  });

  it('lets a refusal propagate', async () => {
    passport.mockRejectedValue(new DomainError(ErrorCode.InvalidToken, 'no'));
    await expect(
      guard.canActivate(context(MixedController, MixedController.prototype.closed)),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidToken });
  });

  describe('with a token verified before', () => {
    const claims = {
      sub: 'u1',
      jti: 'j1',
      sid: 's1',
      typ: 'access',
      roles: ['user'],
      iat: 1,
      exp: 2,
      iss: 'i',
      aud: 'a',
    };
    const request = () => ({
      headers: { authorization: 'Bearer a.b.c' },
      rawHeaders: ['Authorization', 'Bearer a.b.c'],
    });

    it('answers synchronously when the cache shows the token live', () => {
      verified.get.mockReturnValue(claims);
      check.isLiveInCache.mockReturnValue(true);
      const req: ReturnType<typeof request> & { user?: unknown } = request();
      expect(
        guard.canActivate(context(MixedController, MixedController.prototype.closed, req)),
      ).toBe(true);
      expect(check.isLiveInCache).toHaveBeenCalledWith(claims);
      expect(passport).not.toHaveBeenCalled();
      expect(req.user).toMatchObject({ id: 'u1' });
    });

    it('skips passport but still runs the revocation check', async () => {
      verified.get.mockReturnValue(claims);
      const req: ReturnType<typeof request> & { user?: unknown } = request();
      await expect(
        guard.canActivate(context(MixedController, MixedController.prototype.closed, req)),
      ).resolves.toBe(true);
      expect(passport).not.toHaveBeenCalled();
      expect(check.assertActive).toHaveBeenCalledWith(claims);
      expect(req.user).toMatchObject({ id: 'u1', tokenId: 'j1', sessionId: 's1' });
    });

    it('refuses it once revoked', async () => {
      verified.get.mockReturnValue(claims);
      check.assertActive.mockRejectedValue(
        new DomainError(ErrorCode.InvalidToken, 'revoked', undefined, 'revoked'),
      );
      await expect(
        guard.canActivate(context(MixedController, MixedController.prototype.closed, request())),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidToken });
    });
  });

  describe('handleRequest', () => {
    it('returns the user passport produced', () => {
      expect(guard.handleRequest(null, { id: 'u' })).toEqual({ id: 'u' });
    });

    it('answers INVALID_TOKEN when a strategy fails without saying why', () => {
      expect(() => guard.handleRequest(null, false)).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidToken }),
      );
    });

    it("answers INVALID_TOKEN when passport-jwt fails with jsonwebtoken's reason, which it logs and does not tell", () => {
      const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
      try {
        expect(() => guard.handleRequest(null, false, new Error('jwt expired'))).toThrow(
          expect.objectContaining({
            code: ErrorCode.InvalidToken,
            message: INVALID_ACCESS_TOKEN,
          }),
        );
        expect(debug).toHaveBeenCalledWith(
          expect.objectContaining({ reason: 'jwt expired' }),
          'bearer token refused',
        );
      } finally {
        debug.mockRestore();
      }
    });

    it('rethrows a domain error from the strategy as it is', () => {
      const error = new DomainError(ErrorCode.InvalidToken, 'revoked', undefined, 'revoked');
      expect(() => guard.handleRequest(error, false)).toThrow(error);
    });
  });
});
