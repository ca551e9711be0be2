import { TokenType } from './entities/token.entity';
import type { AuthUser } from '../core/auth-user';
import { isGeneratedUuid } from '../common/uuid';

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
  /** The host's claims for `@CurrentUser()` (UserStore's `claims`), on access tokens only. */
  ctx?: Record<string, unknown>;
  /**
   * When the person signed in (OIDC's `auth_time`): the password, and the second factor where it
   * is on. Refresh keeps it, so it says how long ago someone last proved who they are.
   */
  auth_time?: number;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * What jsonwebtoken leaves to its caller (RFC 8725 §3.10): it checks `exp` only when a token has
 * one, and takes an array `aud` that includes ours. Gatehouse requires `exp`, and one audience:
 * it issues one, and a token naming several was minted for something else. The values of `exp`,
 * `nbf`, `iss` and `aud` were checked by jsonwebtoken against the pinned options.
 */
export function requireRegisteredClaims(payload: Record<string, unknown>): boolean {
  return isTime(payload.exp) && isString(payload.aud) && isString(payload.iss);
}

/**
 * Checks a verified payload has every claim we rely on, with the expected `typ`, and that `iat`
 * is not in the future. Returns undefined for anything else, so a refresh token is
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
  // jti and sid are rows of the token store, always randomUUID(): nothing else is looked up (a
  // uuid column on PostgreSQL refuses other text with an error, not with no row).
  if (!isString(p.sub) || !isGeneratedUuid(p.jti) || !isGeneratedUuid(p.sid)) return undefined;
  if (!isTime(p.iat) || !isTime(p.exp) || !isString(p.iss) || !isString(p.aud)) return undefined;
  if (!Array.isArray(p.roles) || !p.roles.every(isString)) return undefined;
  const ctx = p.ctx;
  if (ctx !== undefined && (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)))
    return undefined;
  // A token minted in the future is forged, or comes from a server whose clock is broken.
  if (p.iat > clock.now / 1000 + clock.leewaySeconds) return undefined;
  if (p.auth_time !== undefined && (!isTime(p.auth_time) || p.auth_time > p.iat)) return undefined;
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
    ...(ctx ? { ctx: ctx as Record<string, unknown> } : {}),
    ...(p.auth_time !== undefined ? { auth_time: p.auth_time } : {}),
  };
}

/** The caller of a verified token; `hostId` turns `sub` into the host's id type. */
export function toAuthUser(
  claims: TokenClaims,
  hostId: (sub: string) => string | number = (sub) => sub,
): AuthUser<string | number> {
  return {
    id: hostId(claims.sub),
    sub: claims.sub,
    roles: claims.roles,
    tokenId: claims.jti,
    sessionId: claims.sid,
    expiresAt: claims.exp,
    claims: claims.ctx ?? {},
    ...(claims.auth_time !== undefined ? { authTime: claims.auth_time } : {}),
  };
}
