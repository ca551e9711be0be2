import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { asError } from '../../common/errors/as-error';
import { failureFor } from '../../common/filters/call-errors';
import { ensureRequestId } from '../../common/http/request-id';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { INVALID_ACCESS_TOKEN, JWT_STRATEGY, VerifiedAccessTokens } from '../access-token';
import type { AuthUser } from '../auth-user';
import {
  CallCredentials,
  CallRequest,
  admitCaller,
  credentialsOf,
  isAdmitted,
  knownCaller,
  tokenOf,
} from '../call-context';
import { handlerMetadata } from '../decorators/handler-metadata';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator';

const logger = new Logger('JwtAuthGuard');

/** Throws a refusal as the kind of call it refuses knows it (GraphQL, WebSocket, RPC). */
export function refuse(context: ExecutionContext, error: unknown): never {
  throw failureFor(context.getType(), error, logger);
}

/**
 * Requires a valid, live bearer access token, except on `@Public()` routes. Registered globally;
 * also usable per route with `@UseGuards(JwtAuthGuard)`, where it does not verify twice. The same
 * guard serves GraphQL resolvers, WebSocket gateways and message handlers: see
 * {@link credentialsOf} for where each kind of call carries its token.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  /** The call passport is verifying, by its context: the request it reads is that call's. */
  private readonly passportCalls = new WeakMap<ExecutionContext, CallCredentials>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedAccessTokens,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (handlerMetadata<boolean>(this.reflector, IS_PUBLIC_KEY, context)) return true;
    try {
      const admitted = this.authenticate(context);
      return admitted === true ? true : admitted.catch((error: unknown) => refuse(context, error));
    } catch (error) {
      return refuse(context, error);
    }
  }

  /**
   * Requires a valid, live bearer token whatever the route's metadata says. A token verified
   * before (same exact string, not expired) skips passport and the signature check; the
   * revocation check runs either way, and when the in-process cache already shows the token
   * live the answer is synchronous (the hot path: no I/O, no promise).
   */
  authenticate(context: ExecutionContext): true | Promise<true> {
    const call = credentialsOf(context);
    if (isAdmitted(call)) return true;
    const token = tokenOf(call);
    if (!token)
      throw new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required');
    const known = knownCaller(call);
    const caller = this.verified.callerOf(token, known);
    if (caller === undefined) return this.authenticateWithPassport(context, call);
    if (caller instanceof Promise) return this.admitWhenLive(context, call, caller);
    if (caller !== known) admitCaller(call, caller);
    return true;
  }

  /** What passport reads: the HTTP request, or the stand-in for a socket's or a message's. */
  override getRequest(context: ExecutionContext): CallRequest {
    return (this.passportCalls.get(context) ?? credentialsOf(context)).request;
  }

  /** Passport's response, unused with a callback; a socket or a message has none. */
  getResponse(context: ExecutionContext): unknown {
    return context.getType() === 'http' ? context.switchToHttp().getResponse() : {};
  }

  private async authenticateWithPassport(
    context: ExecutionContext,
    call: CallCredentials,
  ): Promise<true> {
    // Passport sets `user` on the object getRequest gives it: for a message, this stand-in.
    this.passportCalls.set(context, call);
    await (super.canActivate(context) as Promise<boolean>);
    if (call.request.user) admitCaller(call, call.request.user);
    return true;
  }

  private async admitWhenLive(
    context: ExecutionContext,
    call: CallCredentials,
    caller: Promise<AuthUser<string | number>>,
  ): Promise<true> {
    try {
      admitCaller(call, await caller);
    } catch (error) {
      this.handleRequest(error, false, undefined, context);
    }
    return true;
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
    const call = context ? credentialsOf(context) : undefined;
    const requestId = call?.http ? ensureRequestId(call.request) : undefined;
    logger.debug({ requestId, reason }, 'bearer token refused');
  }
}
