import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { RequestWithId, ensureRequestId } from '../../common/http/request-id';
import type { ClientInfo } from '../client-info';

export interface ClientRequest extends RequestWithId {
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The client's user agent and IP, trimmed to what the token row keeps, and the request's id for
 * the audit trail. Express and Fastify alike.
 */
export function clientInfoOf(req: ClientRequest): ClientInfo {
  const ua = req.headers['user-agent'];
  return {
    userAgent: typeof ua === 'string' && ua.length > 0 ? ua.slice(0, 512) : null,
    ip: req.ip ? req.ip.slice(0, 64) : null,
    requestId: ensureRequestId(req),
  };
}

/** {@link clientInfoOf} the current request, as a handler parameter. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientInfo =>
  clientInfoOf(ctx.switchToHttp().getRequest<ClientRequest>()),
);
