import { Controller, ExecutionContext, Get, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { httpContext, testCaller } from '../../../test/support/http-context';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { INVALID_ACCESS_TOKEN, JWT_STRATEGY } from '../access-token';
import { Public } from '../decorators/public.decorator';
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

const caller = testCaller;

describe('JwtAuthGuard', () => {
  const verified = { callerOf: jest.fn() };
  const guard = new JwtAuthGuard(new Reflector(), verified);
  // The passport half: stubbed here, exercised for real by the e2e suites.
  const passport = jest.spyOn(AuthGuard(JWT_STRATEGY).prototype, 'canActivate');
  beforeEach(() => {
    // As passport does on success: the user on the request the guard handed it.
    passport.mockReset().mockImplementation((ctx) => {
      guard.getRequest(ctx as ExecutionContext).user = caller;
      return Promise.resolve(true);
    });
    verified.callerOf.mockReset().mockReturnValue(undefined);
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

  it('verifies a token it has not seen through passport', async () => {
    await expect(
      guard.canActivate(context(MixedController, MixedController.prototype.closed)),
    ).resolves.toBe(true);
    expect(verified.callerOf).toHaveBeenCalledWith('a.b.c', undefined);
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
    const caller = { id: 'u1', sub: 'u1', roles: ['user'], tokenId: 'j1', sessionId: 's1' };

    it('answers synchronously when the token store answers synchronously (the hot path)', () => {
      verified.callerOf.mockReturnValue(caller);
      const req: ReturnType<typeof withBearer> & { user?: unknown } = withBearer();
      expect(
        guard.canActivate(context(MixedController, MixedController.prototype.closed, req)),
      ).toBe(true);
      expect(passport).not.toHaveBeenCalled();
      expect(req.user).toBe(caller);
    });

    it('skips passport and waits for the revocation check', async () => {
      verified.callerOf.mockReturnValue(Promise.resolve(caller));
      const req: ReturnType<typeof withBearer> & { user?: unknown } = withBearer();
      await expect(
        guard.canActivate(context(MixedController, MixedController.prototype.closed, req)),
      ).resolves.toBe(true);
      expect(passport).not.toHaveBeenCalled();
      expect(req.user).toBe(caller);
    });

    it('refuses it once revoked', async () => {
      verified.callerOf.mockReturnValue(
        Promise.reject(new DomainError(ErrorCode.InvalidToken, 'revoked', undefined, 'revoked')),
      );
      await expect(
        guard.canActivate(context(MixedController, MixedController.prototype.closed)),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidToken });
      expect(passport).not.toHaveBeenCalled();
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
