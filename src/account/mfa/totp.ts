import { Secret, TOTP } from 'otpauth';

// SHA-1, 30 s and 6 digits are the RFC 6238 defaults and the only parameters every authenticator
// app honours: several apps silently ignore `algorithm`, `digits` and `period` in the URI.
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** RFC 4226 §4 R6 requires at least 128 bits and recommends 160, the HMAC-SHA1 output size. */
const SECRET_BYTES = 20;

const CODE_PATTERN = /^[0-9]{6}$/;

/** The TOTP of a secret, with the parameters every app honours; the codes are otpauth's. */
function totpOf(secret: Buffer, label?: { issuer: string; account: string }): TOTP {
  return new TOTP({
    // A copy: a Buffer may be a view into a shared pool, and Secret keeps the whole ArrayBuffer.
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    ...(label ? { issuer: label.issuer, label: label.account } : {}),
  });
}

/** A fresh random TOTP secret. */
export function generateTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: SECRET_BYTES }).bytes);
}

/** The secret as people type it into an app: RFC 4648 base32, unpadded, as the Key Uri Format asks. */
export function totpSecretText(secret: Buffer): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

/**
 * Checks a TOTP code against the current step and `window` steps either side (default 1, the
 * clock-drift allowance RFC 6238 §5.2 recommends), and returns the step whose code matched.
 * Anything but exactly six ASCII digits (surrounding spaces aside) is refused before any HMAC.
 * otpauth tries the current step first, then outwards, and answers the first that matches: in
 * the one-in-a-million case of two steps in the window sharing a code, the nearer step counts.
 *
 * This does not prevent replay: a code stays valid for its whole window. The caller must remember
 * the last accepted step and refuse any match at or before it (RFC 6238 §5.2), which also stops
 * a code for an earlier step from being accepted after a later one.
 */
export function matchTotp(
  secret: Buffer,
  code: string,
  opts: { nowMs?: number; window?: number } = {},
): number | undefined {
  // Typed as a string, but it comes from a request body: anything else is simply no match.
  if (typeof code !== 'string') return undefined;
  const candidate = code.trim();
  if (!CODE_PATTERN.test(candidate)) return undefined;
  const timestamp = opts.nowMs ?? Date.now();
  const totp = totpOf(secret);
  const delta = totp.validate({ token: candidate, timestamp, window: opts.window ?? 1 });
  return delta === null ? undefined : totp.counter({ timestamp }) + delta;
}

/**
 * The `otpauth://` URI an authenticator app scans, per the Key Uri Format
 * (https://github.com/google/google-authenticator/wiki/Key-Uri-Format), as otpauth writes it: the
 * issuer in both the label prefix (older apps read only that) and the `issuer` parameter.
 *
 * The label is split at its first colon, so an issuer containing one would be misread; it is
 * refused. A colon in the account name survives, because everything after the first colon is the
 * account.
 */
export function otpauthUri({
  secret,
  issuer,
  account,
}: {
  secret: Buffer;
  issuer: string;
  account: string;
}): string {
  if (issuer.length === 0 || account.length === 0) {
    throw new Error('otpauth URI needs an issuer and an account name');
  }
  if (issuer.includes(':')) throw new Error('otpauth issuer must not contain a colon');
  return totpOf(secret, { issuer, account }).toString();
}
