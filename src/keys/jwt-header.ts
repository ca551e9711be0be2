import type { JwtAlgorithm } from './jwt-algorithm';
import { isAsymmetric } from './jwt-algorithm';

/**
 * The only header members a Gatehouse token carries. jsonwebtoken ignores the others, but a
 * token naming a key source (jku, jwk, x5u) or a `crit` extension (RFC 7515 §4.1.11: refuse what
 * you do not understand) was not written by us, so it is refused before any key is looked up.
 */
const HEADER_MEMBERS = new Set(['alg', 'typ', 'kid']);

/**
 * The header of a token as Gatehouse writes it for `alg`, or undefined for anything else: another
 * algorithm, unknown members, a `typ` other than JWT, a `kid` missing under an asymmetric
 * algorithm or present under HS256, or a second spelling of the signature (base64url's unused
 * trailing bits, which the JWS library decodes leniently for RS256 and ES256). The signature
 * itself is jsonwebtoken's to check; this only decides which key it is checked with.
 */
export function readGatehouseHeader(
  token: string,
  alg: JwtAlgorithm,
): { kid: string | undefined } | undefined {
  const dot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (dot <= 0 || lastDot === dot) return undefined;
  const header = decodeObject(token.slice(0, dot));
  if (!header || header.alg !== alg) return undefined;
  if (!Object.keys(header).every((member) => HEADER_MEMBERS.has(member))) return undefined;
  if (header.typ !== undefined && header.typ !== 'JWT') return undefined;
  const kid = header.kid;
  if (isAsymmetric(alg) ? typeof kid !== 'string' : kid !== undefined) return undefined;
  const signature = token.slice(lastDot + 1);
  if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) return undefined;
  return { kid: kid as string | undefined };
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
