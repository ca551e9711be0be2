import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * What a caller may choose as its request id. Anything else — too long, or with characters that
 * could split a log line, break a header or smuggle markup into a log viewer — is replaced.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's `X-Request-Id` when it is a sane token, else a fresh UUID. */
export function acceptRequestId(header: unknown): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

export interface RequestWithId {
  id?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * The request's id: the one given when it arrived (`req.id`, set by the first middleware on
 * Express and by Fastify's `genReqId` on Fastify), or else one assigned now, so that whoever asks
 * next — the error filter, the request log — sees the same.
 */
export function ensureRequestId(req: RequestWithId): string {
  const { id } = req;
  if (typeof id === 'string' && SANE_REQUEST_ID.test(id)) return id;
  const assigned = acceptRequestId(req.headers?.[REQUEST_ID_HEADER.toLowerCase()]);
  req.id = assigned;
  return assigned;
}

/**
 * Whether an error body names its request. Always on a 5xx, which someone has to look up in the
 * log; on a 4xx only when the caller chose the id (it learns nothing new). Otherwise a fresh id
 * in the body would make two answers that must be identical differ: an unknown email and a wrong
 * password get byte-identical bodies. The `X-Request-Id` header always carries it.
 */
export function requestIdBelongsInBody(req: RequestWithId, status: number): boolean {
  if (status >= 500) return true;
  const header = req.headers?.[REQUEST_ID_HEADER.toLowerCase()];
  return typeof header === 'string' && header === req.id;
}
