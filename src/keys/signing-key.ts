import {
  KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import type { AsymmetricAlgorithm } from './jwt-algorithm';

/** One key pair of the signing key set. */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: stable, and derived, so it can never name another key. */
  kid: string;
  alg: AsymmetricAlgorithm;
  /** From this instant (ms) the key signs; until then it is only published. */
  activatesAt: number;
  createdAt: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** How a key is kept in a file or in JWT_KEYS: the private key as PKCS#8 PEM, times in ISO 8601. */
export interface StoredKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  createdAt: string;
  activatesAt: string;
  privateKey: string;
}

export function generateSigningKey(
  alg: AsymmetricAlgorithm,
  activatesAt: number,
  now = Date.now(),
): SigningKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: thumbprint(publicKey), alg, activatesAt, createdAt: now, privateKey, publicKey };
}

export function toStoredKey(key: SigningKey): StoredKey {
  return {
    kid: key.kid,
    alg: key.alg,
    createdAt: new Date(key.createdAt).toISOString(),
    activatesAt: new Date(key.activatesAt).toISOString(),
    privateKey: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/**
 * Reads a stored key, checking that it is what it claims: the private key's type fits the
 * algorithm and its thumbprint is the kid. `source` names the file or variable in errors, which
 * never quote the key itself.
 */
export function fromStoredKey(value: unknown, source: string): SigningKey {
  const stored = value as Partial<StoredKey> | null;
  const fail = (why: string) => new Error(`${source}: ${why}`);
  if (typeof stored !== 'object' || stored === null) throw fail('not a key object');
  const { alg, kid, privateKey: pem } = stored;
  // EdDSA keys of earlier versions are refused here too: jsonwebtoken cannot verify them.
  if (alg !== 'ES256' && alg !== 'RS256') throw fail('alg must be ES256 or RS256');
  if (typeof pem !== 'string') throw fail('privateKey must be a PKCS#8 PEM string');
  const activatesAt = Date.parse(stored.activatesAt ?? '');
  const createdAt = Date.parse(stored.createdAt ?? stored.activatesAt ?? '');
  if (Number.isNaN(activatesAt)) throw fail('activatesAt must be an ISO 8601 time');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw fail('privateKey is not a readable private key');
  }
  if (privateKey.asymmetricKeyType !== KEY_TYPES[alg]) {
    throw fail(
      `privateKey is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not ${KEY_TYPES[alg]} for ${alg}`,
    );
  }
  if (alg === 'ES256' && privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw fail('ES256 needs a P-256 key');
  }
  if (alg === 'RS256' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw fail('RS256 needs a key of at least 2048 bits');
  }
  const publicKey = createPublicKey(privateKey);
  const actualKid = thumbprint(publicKey);
  if (kid !== undefined && kid !== actualKid) throw fail('kid does not match the key');
  return {
    kid: actualKid,
    alg,
    activatesAt,
    createdAt: Number.isNaN(createdAt) ? activatesAt : createdAt,
    privateKey,
    publicKey,
  };
}

const KEY_TYPES: Record<AsymmetricAlgorithm, string> = {
  ES256: 'ec',
  RS256: 'rsa',
};

/** A public key as the JWKS publishes it (RFC 7517 §4): public members only. */
export interface PublishedJwk {
  kty: string;
  kid: string;
  alg: AsymmetricAlgorithm;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

export function publicJwk(key: SigningKey): PublishedJwk {
  const members = requiredMembers(key.publicKey);
  return { ...members, kty: members.kty, kid: key.kid, alg: key.alg, use: 'sig' };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order. */
export function thumbprint(publicKey: KeyObject): string {
  const members = requiredMembers(publicKey);
  const canonical = JSON.stringify(
    Object.fromEntries(
      Object.keys(members)
        .sort()
        .map((k) => [k, members[k]]),
    ),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

function requiredMembers(publicKey: KeyObject): Record<string, string> {
  const jwk = publicKey.export({ format: 'jwk' });
  switch (jwk.kty) {
    case 'EC':
      return { crv: String(jwk.crv), kty: 'EC', x: String(jwk.x), y: String(jwk.y) };
    case 'RSA':
      return { e: String(jwk.e), kty: 'RSA', n: String(jwk.n) };
    default:
      throw new Error(`unsupported key type ${String(jwk.kty)}`);
  }
}
