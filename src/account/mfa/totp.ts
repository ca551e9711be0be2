import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// SHA-1, 30 s and 6 digits are the RFC 6238 defaults and the only parameters every authenticator
// app honours: several apps silently ignore `algorithm`, `digits` and `period` in the URI.
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** RFC 4226 §4 R6 requires at least 128 bits and recommends 160, the HMAC-SHA1 output size. */
const SECRET_BYTES = 20;

/** Wider windows would accept codes minutes old; callers never need more than a few steps. */
const MAX_WINDOW = 10;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CODE_PATTERN = /^[0-9]{6}$/;

/** A fresh random TOTP secret. */
export function generateTotpSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

/**
 * RFC 4648 §6 base32, upper case and without `=` padding: the Key Uri Format asks for the secret
 * unpadded, and some apps refuse the padding.
 */
export function base32Encode(buf: Buffer): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of buf) {
    // At most 4 bits are left over from the previous byte, so 12 bits of state suffice.
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes base32 as people type it: any case, with spaces (apps show the secret in groups) and
 * with or without trailing padding. Throws on any other character rather than guessing.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let value = 0;
  let bits = 0;
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`invalid base32 character ${JSON.stringify(char)}`);
    value = ((value << 5) | index) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // Leftover bits (fewer than 8) are the zero fill of the last quantum, not data.
  return Buffer.from(out);
}

/**
 * HOTP (RFC 4226 §5.3): HMAC-SHA1 over the counter, then dynamic truncation to `digits` decimal
 * digits. The counter is written as a 64-bit big-endian integer through BigInt, so counters past
 * 2^32 are not silently truncated by 32-bit bitwise operators.
 */
export function hotp(secret: Buffer, counter: number, digits = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError('HOTP counter must be a non-negative safe integer');
  }
  // RFC 4226 §5.3 defines 6 to 8 digits; beyond 9, 31 bits no longer cover the range evenly.
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) {
    throw new RangeError('HOTP digits must be 6, 7 or 8');
  }
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  // Masking the top bit avoids signed/unsigned ambiguity between implementations (§5.3).
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step T = floor((now - T0) / X) with T0 = 0 and X = 30 s. */
export function totpStep(nowMs = Date.now()): number {
  return Math.floor(nowMs / (TOTP_PERIOD_SECONDS * 1000));
}

/**
 * Checks a TOTP code against the current step and `window` steps either side (default 1, the
 * clock-drift allowance RFC 6238 §5.2 recommends), and returns the step whose code matched.
 *
 * Anything but exactly six ASCII digits (surrounding spaces aside) is refused before any HMAC.
 * Every step in the window is computed and compared in constant time, with no early exit, so
 * the response time does not reveal which step matched.
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
  const window = opts.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new RangeError(`TOTP window must be an integer from 0 to ${MAX_WINDOW}`);
  }
  // Typed as a string, but it comes from a request body: anything else is simply no match.
  if (typeof code !== 'string') return undefined;
  const candidate = code.trim();
  if (!CODE_PATTERN.test(candidate)) return undefined;
  const given = Buffer.from(candidate, 'ascii');

  const current = totpStep(opts.nowMs);
  let matched: number | undefined;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const expected = Buffer.from(hotp(secret, step, TOTP_DIGITS), 'ascii');
    // Two steps can share a code (one chance in a million); keeping the later one lets the
    // caller's last-step check refuse the fewest genuine codes afterwards.
    if (timingSafeEqual(expected, given)) matched = step;
  }
  return matched;
}

/**
 * The `otpauth://` URI an authenticator app scans, per the Key Uri Format
 * (https://github.com/google/google-authenticator/wiki/Key-Uri-Format). The issuer goes in both
 * the label prefix (older apps read only that) and the `issuer` parameter (which newer apps prefer).
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
  const enc = encodeURIComponent;
  const params = [
    `secret=${base32Encode(secret)}`,
    `issuer=${enc(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ];
  return `otpauth://totp/${enc(issuer)}:${enc(account)}?${params.join('&')}`;
}
