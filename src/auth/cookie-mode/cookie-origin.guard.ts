import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UseGuards,
  applyDecorators,
} from '@nestjs/common';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { ApiErrorResponse } from '../../common/openapi/error-responses';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { CookieRequest, RefreshCookie } from './refresh-cookie';

/**
 * CSRF defence for the endpoints that set or read the refresh cookie, in cookie mode: a request
 * whose `Origin` is not in the allow-list (AUTH_COOKIE_ORIGINS) is refused, and so is one that
 * carries the cookie without an `Origin` at all. Browsers send `Origin` on every cross-site POST
 * and on same-origin ones; a client that is not a browser sends neither it nor the cookie, unless
 * it chose to, and then it can send the Origin too. SameSite=Strict already keeps the cookie off
 * cross-site requests in current browsers; this does not rely on it.
 */
@Injectable()
export class CookieOriginGuard implements CanActivate {
  private readonly allowed: Set<string>;

  constructor(
    private readonly cookie: RefreshCookie,
    config: GatehouseConfig,
  ) {
    this.allowed = new Set(config.get('account', { infer: true }).cookie.allowedOrigins);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.cookie.enabled) return true;
    const request = context.switchToHttp().getRequest<CookieRequest>();
    const origin = request.headers.origin;
    if (
      typeof origin === 'string'
        ? this.allowed.has(origin)
        : this.cookie.read(request) === undefined
    ) {
      return true;
    }
    throw new DomainError(
      ErrorCode.OriginNotAllowed,
      'This origin may not use the session cookie',
      undefined,
      `origin ${typeof origin === 'string' ? JSON.stringify(origin.slice(0, 100)) : 'missing'}`,
    );
  }
}

/** Routes that set or read the refresh cookie: the Origin check, and its 403 in the docs. */
export const CookieEndpoint = () =>
  applyDecorators(
    UseGuards(CookieOriginGuard),
    ApiErrorResponse(
      "Cookie mode: the request's Origin is not allowed to use the session cookie",
      ErrorCode.OriginNotAllowed,
    ),
  );
