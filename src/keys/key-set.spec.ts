import { createPublicKey } from 'node:crypto';
import { KeySet } from './key-set';
import { rotate } from './key-rotation';
import { fromStoredKey, generateSigningKey, thumbprint, toStoredKey } from './signing-key';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');

describe('KeySet', () => {
  const first = generateSigningKey('ES256', t0, t0);
  const second = generateSigningKey('ES256', t0 + 10 * HOUR, t0);
  const set = new KeySet([second, first], 24 * HOUR);

  it('signs with the key that activated last, and publishes a pending key before it signs', () => {
    expect(set.signingKey(t0 + HOUR)?.kid).toBe(first.kid);
    expect(set.published(t0 + HOUR).map((k) => k.kid)).toEqual([first.kid, second.kid]);
    expect(set.signingKey(t0 + 10 * HOUR)?.kid).toBe(second.kid);
    expect(set.signingKey(t0 - 1)).toBeUndefined();
  });

  it('keeps a retired key published and accepted until its tokens have expired, then drops it', () => {
    const retiredAt = t0 + 10 * HOUR;
    expect(set.verificationKey(first.kid, retiredAt + 24 * HOUR - 1)).toBe(first.publicKey);
    expect(set.verificationKey(first.kid, retiredAt + 24 * HOUR)).toBeUndefined();
    expect(set.jwks(retiredAt + 24 * HOUR).keys.map((k) => k.kid)).toEqual([second.kid]);
    expect(set.expiredKeys(retiredAt + 24 * HOUR).map((k) => k.kid)).toEqual([first.kid]);
  });

  it('publishes public members only', () => {
    const { keys } = set.jwks(t0);
    expect(keys[0]).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: first.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(JSON.stringify(keys)).not.toMatch(/"d"/);
  });
});

describe('stored keys', () => {
  it.each(['ES256', 'RS256'] as const)(
    '%s survives storage, and its kid is its RFC 7638 thumbprint',
    (alg) => {
      const key = generateSigningKey(alg, t0, t0);
      const back = fromStoredKey(JSON.parse(JSON.stringify(toStoredKey(key))), 'test');
      expect(back).toMatchObject({ kid: key.kid, alg, activatesAt: t0 });
      expect(thumbprint(back.publicKey)).toBe(key.kid);
    },
  );

  it('matches the RFC 7638 §3.1 example thumbprint', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    expect(thumbprint(key)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('refuses a kid that is not the key, a key of the wrong type, and unreadable PEM, without quoting the key', () => {
    const stored = toStoredKey(generateSigningKey('ES256', t0, t0));
    expect(() => fromStoredKey({ ...stored, kid: 'someone-else' }, 'k.json')).toThrow(
      /k.json: kid does not match/,
    );
    expect(() => fromStoredKey({ ...stored, alg: 'RS256' }, 'k.json')).toThrow(/ec key, not rsa/);
    // EdDSA keys of earlier versions: jsonwebtoken cannot verify them, so they are refused.
    expect(() => fromStoredKey({ ...stored, alg: 'EdDSA' }, 'k.json')).toThrow(
      /alg must be ES256 or RS256/,
    );
    const broken = { ...stored, privateKey: stored.privateKey.replace(/[A-Za-z]{8}/, 'AAAAAAAA') };
    expect(() => fromStoredKey(broken, 'k.json')).toThrow(/k.json: privateKey/);
    try {
      fromStoredKey(broken, 'k.json');
    } catch (error) {
      expect((error as Error).message).not.toContain('PRIVATE KEY');
    }
  });
});

describe('rotate', () => {
  it('adds a key that signs later, and prunes only keys whose tokens have all expired', () => {
    const old = generateSigningKey('ES256', t0, t0);
    const current = generateSigningKey('ES256', t0 + 48 * HOUR, t0);
    const now = t0 + 100 * HOUR;
    const result = rotate([old, current], {
      alg: 'ES256',
      activateInMs: HOUR,
      retentionMs: 24 * HOUR,
      prune: true,
      now,
    });
    expect(result.added.activatesAt).toBe(now + HOUR);
    expect(result.pruned.map((k) => k.kid)).toEqual([old.kid]);
    expect(result.keys.map((k) => k.kid)).toEqual([current.kid, result.added.kid]);
    // Until the new key activates, the current one signs and nothing it signed is dropped.
    expect(new KeySet(result.keys, 24 * HOUR).signingKey(now)?.kid).toBe(current.kid);
  });
});
