import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { AuthUser } from '../auth-user';

/** The authenticated caller of a bearer-protected route. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser =>
    ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
