import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { AuthUser } from '../auth-user';
import { callerOf } from '../call-context';

/**
 * The authenticated caller of a bearer-protected route, resolver, gateway message or message
 * handler (undefined on a `@Public()` one that was called without a token).
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser => callerOf(ctx) as AuthUser,
);
