import type { TokenClaims } from '../tokens/token-claims';

/** The caller of a bearer-authenticated request, as `@CurrentUser()` hands it to handlers. */
export interface AuthUser {
  /** The user id (`sub`). */
  id: string;
  roles: string[];
  /** The access token's `jti`. */
  tokenId: string;
  /** The session (token family) the access token belongs to. */
  sessionId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export function toAuthUser(claims: TokenClaims): AuthUser {
  return {
    id: claims.sub,
    roles: claims.roles,
    tokenId: claims.jti,
    sessionId: claims.sid,
    expiresAt: claims.exp,
  };
}
