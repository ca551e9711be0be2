import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { httpContext } from '../../../test/support/http-context';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
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

const context = (cls: object, handler: (...args: unknown[]) => unknown, request: object = {}) =>
  httpContext(request, { cls, handler });

describe('JwtAuthGuard', () => {
  const guard = new JwtAuthGuard(new Reflector());
  // The passport half: stubbed here, exercised for real by the e2e suites.
  const passport = jest.spyOn(AuthGuard('jwt').prototype, 'canActivate');
  beforeEach(() => passport.mockReset().mockResolvedValue(true));

  it('skips authentication on a @Public() handler', async () => {
    await expect(
      guard.canActivate(context(MixedController, MixedController.prototype.open)),
    ).resolves.toBe(true);
    expect(passport).not.toHaveBeenCalled();
  });

  it('skips authentication on every handler of a @Public() controller', async () => {
    await expect(
      guard.canActivate(context(PublicController, PublicController.prototype.anything)),
    ).resolves.toBe(true);
    expect(passport).not.toHaveBeenCalled();
  });

  it('authenticates any other route', async () => {
    await expect(
      guard.canActivate(context(MixedController, MixedController.prototype.closed)),
    ).resolves.toBe(true);
    expect(passport).toHaveBeenCalledTimes(1);
  });

  it('authenticates a request once, even when applied globally and per route', async () => {
    const request = {};
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

  describe('handleRequest', () => {
    it('returns the user passport produced', () => {
      expect(guard.handleRequest(null, { id: 'u' }, undefined)).toEqual({ id: 'u' });
    });

    it('answers UNAUTHENTICATED when there was no token', () => {
      expect(() => guard.handleRequest(null, false, new Error('No auth token'))).toThrow(
        expect.objectContaining({ code: ErrorCode.Unauthenticated }),
      );
    });

    it('answers INVALID_TOKEN for a token jsonwebtoken refused, keeping the reason internal', () => {
      expect(() => guard.handleRequest(null, false, new Error('jwt expired'))).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidToken, internalReason: 'jwt expired' }),
      );
    });

    it('rethrows a domain error from the strategy as it is', () => {
      const error = new DomainError(ErrorCode.InvalidToken, 'revoked', undefined, 'revoked');
      expect(() => guard.handleRequest(error, false, undefined)).toThrow(error);
    });
  });
});
