import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { JwtAuthGuard } from '../guards/jwt-auth.guard';
import { CookieRequest, RefreshCookie } from './refresh-cookie';

/**
 * Who may log out: the holder of a valid access token, as on every guarded route; in cookie mode
 * also the holder of the refresh cookie alone, since a page whose access token has expired must
 * still be able to end its session.
 */
@Injectable()
export class LogoutAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtAuthGuard,
    private readonly cookie: RefreshCookie,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<CookieRequest>();
    const cookieOnly =
      this.cookie.enabled &&
      request.headers.authorization === undefined &&
      this.cookie.read(request) !== undefined;
    return cookieOnly || this.jwt.authenticate(context);
  }
}
