import type { AuthUser } from './auth-user';

/**
 * The passport strategy name of Gatehouse's bearer tokens. Passport's names are global to the
 * process: under the plain `'jwt'`, a host's own passport-jwt strategy would replace Gatehouse's
 * (or the other way round) and verify the other's tokens.
 */
export const JWT_STRATEGY = 'gatehouse-jwt';

/** Longer than any token Gatehouse issues; refuse before spending work on it. */
export const MAX_TOKEN_LENGTH = 4096;

/** The one answer to a refused access token, whatever the reason (logged, never told). */
export const INVALID_ACCESS_TOKEN = 'The access token is invalid, expired or revoked';

/**
 * What JwtAuthGuard asks of the token store, as a port: the guard (core) depends on no feature,
 * and TokensModule provides the implementation.
 */
export abstract class VerifiedAccessTokens {
  /**
   * The caller of a token verified before (the same exact string, not expired): synchronously
   * when the in-process cache already shows it live (the hot path: no I/O, no promise), after the
   * revocation check otherwise, which rejects a revoked token. Undefined for a token not verified
   * before: passport-jwt verifies it. `known`, the caller a socket was admitted as before, is
   * given back when the token is its own: a socket's every message costs no new object.
   */
  abstract callerOf(
    token: string,
    known?: AuthUser<string | number>,
  ): AuthUser<string | number> | Promise<AuthUser<string | number>> | undefined;
}
