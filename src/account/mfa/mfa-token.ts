/**
 * The `typ` of the token that stands between a proven password and the second factor. No access
 * or refresh check accepts it (they require their own `typ`), so it opens nothing but
 * `POST /auth/2fa/verify`.
 */
export const MFA_TOKEN_TYPE = 'mfa';

/**
 * Its audience: Gatehouse's own two-factor step, never the API's (JWT_AUDIENCE). Verifiers of
 * access tokens check `aud` and so refuse it, even those that know nothing of `typ`.
 */
export const MFA_TOKEN_AUDIENCE = 'urn:gatehouse:mfa';

export interface MfaTokenClaims {
  sub: string;
  /** A one-time token (purpose mfa_login): spent when the second factor succeeds. */
  jti: string;
}

export function parseMfaClaims(
  payload: Record<string, unknown> | undefined,
): MfaTokenClaims | undefined {
  if (!payload || payload.typ !== MFA_TOKEN_TYPE) return undefined;
  const { sub, jti } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || typeof jti !== 'string' || jti.length === 0) {
    return undefined;
  }
  return { sub, jti };
}
