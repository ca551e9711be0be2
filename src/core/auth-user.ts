/**
 * The caller of a bearer-authenticated request, as `@CurrentUser()` hands it to handlers:
 *
 *     mine(@CurrentUser() user: AuthUser<number, { name: string }>) { … user.id … user.claims.name }
 *
 * `TId`: how the host's users are keyed (a number for an integer id column); `TClaims`: what its
 * UserStore's `claims` put in the token at login.
 */
export interface AuthUser<
  TId extends string | number = string,
  TClaims extends object = Record<string, unknown>,
> {
  /** The user's id as the host knows it. */
  id: TId;
  /** The token's subject (`sub`): the id as text, as Gatehouse's own rows reference it. */
  sub: string;
  roles: string[];
  /** The access token's `jti`. */
  tokenId: string;
  /** The session (token family) the access token belongs to. */
  sessionId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The host's claims, as of the last login or refresh; `{}` without any. */
  claims: TClaims;
  /**
   * When the person signed in to this session (seconds since the epoch): refresh keeps it. What
   * Gatehouse's re-authentication reads; absent on tokens issued before 0.2.
   */
  authTime?: number;
}

/**
 * The caller as Gatehouse's own code sees it: by `sub`, never by the host-typed `id` (a number
 * here would match none of Gatehouse's rows).
 */
export type Caller = Omit<AuthUser, 'id'>;
