import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { asError } from '../../common/errors/as-error';
import { ensureRequestId } from '../../common/http/request-id';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { INVALID_ACCESS_TOKEN, JWT_STRATEGY, VerifiedAccessTokens } from '../access-token';
import type { AuthUser } from '../auth-user';
import { BearerRequest, extractBearerToken } from '../bearer-token.extractor';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';

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
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  private readonly logger = new Logger(JwtAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedAccessTokens,
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
    if (!token)
      throw new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required');
    const caller = this.verified.callerOf(token);
    if (caller === undefined) return this.authenticateWithPassport(context, request);
    if (caller instanceof Promise) return this.admitWhenLive(context, request, caller);
    this.admit(request, caller);
    return true;
  }

  private async authenticateWithPassport(
    context: ExecutionContext,
    request: GuardedRequest,
  ): Promise<true> {
    await (super.canActivate(context) as Promise<boolean>);
    request[AUTHENTICATED] = true;
    return true;
  }

  private async admitWhenLive(
    context: ExecutionContext,
    request: GuardedRequest,
    caller: Promise<AuthUser<string | number>>,
  ): Promise<true> {
    try {
      this.admit(request, await caller);
    } catch (error) {
      this.handleRequest(error, false, undefined, context);
    }
    return true;
  }

  private admit(request: GuardedRequest, caller: AuthUser<string | number>): void {
    request.user = caller;
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
