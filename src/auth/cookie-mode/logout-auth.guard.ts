import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { JwtAuthGuard } from '../../core/guards/jwt-auth.guard';
import { CookieRequest, RefreshCookie } from './refresh-cookie';

/**
 * Who may log out: the holder of a valid access token, as on every guarded route; in cookie mode
 * the holder of the refresh cookie, whatever bearer header comes with it, since a page whose
 * access token has expired (and whose HTTP client still sends it) must be able to end its session.
 */
@Injectable()
export class LogoutAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtAuthGuard,
    private readonly cookie: RefreshCookie,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<CookieRequest>();
    const byCookie = this.cookie.enabled && this.cookie.read(request) !== undefined;
    return byCookie || this.jwt.authenticate(context);
  }
}
