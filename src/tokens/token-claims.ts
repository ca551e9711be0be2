import { TokenType } from './entities/token.entity';

/**
 * The claims Gatehouse puts in its JWTs (RFC 7519 §4.1): `sub` the user id, `jti` the row in the
 * token store, `sid` the session (token family), `typ` access or refresh, `roles` at issue time.
 */
export interface TokenClaims {
  sub: string;
  jti: string;
  sid: string;
  typ: TokenType;
  roles: string[];
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

/** Longer than any token we issue; refuse before spending work on it. */
export const MAX_TOKEN_LENGTH = 4096;

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks a verified payload has every claim we rely on, with the expected `typ`. jsonwebtoken
 * checks `exp` only when it is present, so its presence is required here (RFC 8725 §3.10), and
 * `iat` must not be in the future. Returns undefined for anything else, so a refresh token is
 * never taken for an access token.
 */
export function parseClaims(
  payload: unknown,
  expected: TokenType,
  clock: { now: number; leewaySeconds: number } = { now: Date.now(), leewaySeconds: 0 },
): TokenClaims | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  if (p.typ !== expected) return undefined;
  if (!isString(p.sub) || !isString(p.jti) || !isString(p.sid)) return undefined;
  if (!isTime(p.iat) || !isTime(p.exp) || !isString(p.iss) || !isString(p.aud)) return undefined;
  if (!Array.isArray(p.roles) || !p.roles.every(isString)) return undefined;
  // jsonwebtoken checks exp and nbf but not iat: a token minted in the future is forged or broken.
  if (p.iat > clock.now / 1000 + clock.leewaySeconds) return undefined;
  return {
    sub: p.sub,
    jti: p.jti,
    sid: p.sid,
    typ: expected,
    roles: p.roles,
    iat: p.iat,
    exp: p.exp,
    iss: p.iss,
    aud: p.aud,
  };
}
