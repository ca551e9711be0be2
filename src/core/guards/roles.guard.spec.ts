import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { httpContext } from '../../../test/support/http-context';
import { ErrorCode } from '../../common/errors/domain-error';
import { AuthUser } from '../auth-user';
import { Roles } from '../decorators/roles.decorator';
import { RolesGuard } from './roles.guard';

@Roles('admin')
@Controller()
class AdminController {
  @Get() list() {}
  @Roles('auditor', 'admin') @Get() audit() {}
}

@Controller()
class OpenController {
  @Get() anything() {}
}

const user = (roles: string[]): AuthUser => ({
  id: 'u1',
  sub: 'u1',
  claims: {},
  roles,
  tokenId: 'j1',
  sessionId: 's1',
  expiresAt: 0,
});

const context = (cls: object, handler: (...args: unknown[]) => unknown, caller?: AuthUser) =>
  httpContext({ user: caller }, { cls, handler });

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());

  it('lets anyone through a route without @Roles', () => {
    expect(guard.canActivate(context(OpenController, OpenController.prototype.anything))).toBe(
      true,
    );
  });

  it('lets a caller with the class-level role through', () => {
    const ctx = context(AdminController, AdminController.prototype.list, user(['user', 'admin']));
    expect(guard.canActivate(ctx)).toBe(true);
  });

  it('refuses a caller without the role with FORBIDDEN', () => {
    const ctx = context(AdminController, AdminController.prototype.list, user(['user']));
    expect(() => guard.canActivate(ctx)).toThrow(
      expect.objectContaining({ code: ErrorCode.Forbidden }),
    );
  });

  it('lets the handler-level list override the class-level one', () => {
    const ctx = context(AdminController, AdminController.prototype.audit, user(['auditor']));
    expect(guard.canActivate(ctx)).toBe(true);
  });

  it('answers UNAUTHENTICATED when no one is logged in', () => {
    const ctx = context(AdminController, AdminController.prototype.list);
    expect(() => guard.canActivate(ctx)).toThrow(
      expect.objectContaining({ code: ErrorCode.Unauthenticated }),
    );
  });
});
