import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { asError } from '../../common/errors/as-error';
import { ensureRequestId } from '../../common/http/request-id';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import {
  INVALID_ACCESS_TOKEN,
  RevocationCheckService,
} from '../../tokens/revocation-check.service';
import type { TokenClaims } from '../../tokens/token-claims';
import { AuthUser, toAuthUser } from '../auth-user';
import { BearerRequest, extractBearerToken } from '../strategies/bearer-token.extractor';
import { VerifiedTokenCache } from '../../tokens/cache/verified-token.cache';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';
import { UsersService } from '../../users/users.service';

const AUTHENTICATED = Symbol('gatehouse:authenticated');

interface GuardedRequest extends BearerRequest {
  user?: AuthUser<string | number>;
  [AUTHENTICATED]?: true;
}

/**
 * Requires a valid, live bearer access token, except on `@Public()` routes. Registered globally;
 * also usable per route with `@UseGuards(JwtAuthGuard)`, where it does not verify twice.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(JwtAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokenCache,
    private readonly revocationCheck: RevocationCheckService,
    private readonly users: UsersService,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : this.authenticate(context);
  }

  /**
   * Requires a valid, live bearer token whatever the route's metadata says. A token verified
   * before (same exact string, not expired) skips passport and the signature check; the
   * revocation check runs either way, and when the in-process cache already shows the token
   * live the answer is synchronous (the hot path: no I/O, no promise).
   */
  authenticate(context: ExecutionContext): true | Promise<true> {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    if (request[AUTHENTICATED]) return true;
    const token = extractBearerToken(request);
    const claims = token ? this.verified.get(token) : undefined;
    if (claims && this.revocationCheck.isLiveInCache(claims)) {
      this.admit(request, claims);
      return true;
    }
    if (!token)
      throw new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required');
    return this.authenticateSlowly(context, request, claims);
  }

  private async authenticateSlowly(
    context: ExecutionContext,
    request: GuardedRequest,
    claims: TokenClaims | undefined,
  ): Promise<true> {
    if (claims) {
      try {
        await this.revocationCheck.assertActive(claims);
      } catch (error) {
        this.handleRequest(error, false, undefined, context);
      }
      this.admit(request, claims);
    } else {
      await (super.canActivate(context) as Promise<boolean>);
      request[AUTHENTICATED] = true;
    }
    return true;
  }

  private admit(request: GuardedRequest, claims: TokenClaims): void {
    request.user = toAuthUser(claims, (sub) => this.users.hostId(sub));
    request[AUTHENTICATED] = true;
  }

  override handleRequest<TUser = AuthUser>(
    err: unknown,
    user: TUser | false,
    info?: unknown,
    context?: ExecutionContext,
  ): TUser {
    if (err) {
      if (err instanceof DomainError && err.internalReason)
        this.logRefusal(err.internalReason, context);
      throw asError(err);
    }
    if (user) return user;
    // passport-jwt fails with jsonwebtoken's reason (bad signature, expired, wrong audience…):
    // logged for the operator, never told to the caller.
    this.logRefusal(info instanceof Error ? info.message : 'refused', context);
    throw new DomainError(ErrorCode.InvalidToken, INVALID_ACCESS_TOKEN);
  }

  private logRefusal(reason: string, context: ExecutionContext | undefined): void {
    const request = context?.switchToHttp().getRequest<GuardedRequest>();
    const requestId = request ? ensureRequestId(request) : undefined;
    this.logger.debug({ requestId, reason }, 'bearer token refused');
  }
}
