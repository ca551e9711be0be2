import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { ClientInfo } from '../../tokens/client-info';

interface RequestLike {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The client's user agent and IP, trimmed to what the token row keeps. Express and Fastify alike. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientInfo => {
  const req = ctx.switchToHttp().getRequest<RequestLike>();
  const ua = req.headers['user-agent'];
  return {
    userAgent: typeof ua === 'string' && ua.length > 0 ? ua.slice(0, 512) : null,
    ip: req.ip ? req.ip.slice(0, 64) : null,
  };
});
