import {
  KeyObject,
  createHmac,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
} from 'node:crypto';

/**
 * JWS compact serialization (RFC 7515) for the four algorithms Gatehouse signs with, on
 * node:crypto alone. Not jsonwebtoken: it has no EdDSA, tries `createPublicKey` on every verify
 * when handed a string, and trusts more of the header than a token issuer needs to.
 */
export const JWS_ALGORITHMS = ['HS256', 'EdDSA', 'ES256', 'RS256'] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

export const isAsymmetric = (alg: JwsAlgorithm): boolean => alg !== 'HS256';

/** The only header members a Gatehouse token carries; anything else (jku, jwk, x5u, crit…) is refused. */
const HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface JwsSigningKey {
  alg: JwsAlgorithm;
  /** The secret (HS256) or the private key. */
  key: KeyObject;
  /** Required for the asymmetric algorithms, absent for HS256. */
  kid?: string;
}

export function signCompact(payload: object, signing: JwsSigningKey): string {
  const header = signing.kid
    ? { alg: signing.alg, typ: 'JWT', kid: signing.kid }
    : { alg: signing.alg, typ: 'JWT' };
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signatureOf(signing.alg, input, signing.key).toString('base64url')}`;
}

/**
 * The payload of a token whose header names exactly `alg` and whose signature verifies with the
 * key `keyFor` returns for its `kid`; undefined for anything else. Never throws on bad input.
 * Claims are not looked at here.
 */
export function verifyCompact(
  token: string,
  alg: JwsAlgorithm,
  keyFor: (kid: string | undefined) => KeyObject | undefined,
): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return undefined;
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  const header = decodeObject(encodedHeader);
  if (!header || header.alg !== alg) return undefined;
  if (!Object.keys(header).every((member) => HEADER_MEMBERS.has(member))) return undefined;
  if (header.typ !== undefined && header.typ !== 'JWT') return undefined;
  const kid = header.kid;
  if (isAsymmetric(alg) ? typeof kid !== 'string' : kid !== undefined) return undefined;
  const key = keyFor(kid as string | undefined);
  if (!key) return undefined;
  const signature = Buffer.from(encodedSignature, 'base64url');
  // One signature, one spelling: base64url's unused trailing bits may not vary.
  if (signature.toString('base64url') !== encodedSignature) return undefined;
  if (!signatureHolds(alg, `${encodedHeader}.${encodedPayload}`, signature, key)) return undefined;
  return decodeObject(encodedPayload);
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function signatureOf(alg: JwsAlgorithm, input: string, key: KeyObject): Buffer {
  const data = Buffer.from(input, 'utf8');
  switch (alg) {
    case 'HS256':
      return createHmac('sha256', key).update(data).digest();
    case 'RS256':
      return cryptoSign('sha256', data, key);
    case 'ES256':
      // JWS wants r‖s (RFC 7518 §3.4), not the DER that OpenSSL produces by default.
      return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return cryptoSign(null, data, key);
  }
}

function signatureHolds(
  alg: JwsAlgorithm,
  input: string,
  signature: Buffer,
  key: KeyObject,
): boolean {
  const data = Buffer.from(input, 'utf8');
  try {
    switch (alg) {
      case 'HS256': {
        const expected = createHmac('sha256', key).update(data).digest();
        return signature.length === expected.length && timingSafeEqual(signature, expected);
      }
      case 'RS256':
        return cryptoVerify('sha256', data, key, signature);
      case 'ES256':
        return (
          signature.length === 64 &&
          cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'EdDSA':
        return signature.length === 64 && cryptoVerify(null, data, key, signature);
    }
  } catch {
    // A key of the wrong type for the algorithm: not a valid signature.
    return false;
  }
}
