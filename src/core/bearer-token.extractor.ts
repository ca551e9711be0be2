import { MAX_TOKEN_LENGTH } from './access-token';

export interface BearerRequest {
  headers: Record<string, string | string[] | undefined>;
  rawHeaders?: string[];
  raw?: { rawHeaders?: string[] };
}

/** RFC 6750 §2.1: `Bearer` (any case), one space, a b64token. Nothing else is read. */
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * The bearer token of a request, or null. Strict where many extractors take the second word of
 * any header: exactly one Authorization header, exactly `Bearer <token>`.
 * Tokens in the query string, body or cookies are never read.
 */
export function extractBearerToken(req: BearerRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 16) return null;
  // Node keeps only the first of repeated Authorization headers; refuse the request instead.
  const raw = req.raw?.rawHeaders ?? req.rawHeaders ?? [];
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') count++;
  }
  if (count > 1) return null;
  const match = BEARER.exec(header);
  return match ? match[1] : null;
}
