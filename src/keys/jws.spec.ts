import { createHmac, createSecretKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { JWS_ALGORITHMS, JwsAlgorithm, signCompact, verifyCompact } from './jws';

const pairs = {
  EdDSA: generateKeyPairSync('ed25519'),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
const secret = createSecretKey(randomBytes(32));
const signingKey = (alg: JwsAlgorithm) =>
  alg === 'HS256' ? { alg, key: secret } : { alg, key: pairs[alg].privateKey, kid: `kid-${alg}` };
const verifyingKey = (alg: JwsAlgorithm) => (alg === 'HS256' ? secret : pairs[alg].publicKey);
const keyFor = (alg: JwsAlgorithm) => (kid: string | undefined) =>
  alg === 'HS256'
    ? kid === undefined
      ? secret
      : undefined
    : kid === `kid-${alg}`
      ? verifyingKey(alg)
      : undefined;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payload = { sub: 'u1', n: 1 };

/** A token with any header, validly signed: what an attacker holding the key could send. */
function signedWithHeader(alg: JwsAlgorithm, header: object): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', secret).update(data).digest()
      : alg === 'EdDSA'
        ? sign(null, data, pairs.EdDSA.privateKey)
        : alg === 'ES256'
          ? sign('sha256', data, { key: pairs.ES256.privateKey, dsaEncoding: 'ieee-p1363' })
          : sign('sha256', data, pairs.RS256.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

describe.each(JWS_ALGORITHMS)('JWS %s', (alg) => {
  const token = signCompact(payload, signingKey(alg));

  it('round-trips a payload', () => {
    expect(verifyCompact(token, alg, keyFor(alg))).toEqual(payload);
  });

  it('refuses a changed payload, a changed signature and a truncated token', () => {
    const [h, , s] = token.split('.');
    expect(
      verifyCompact(`${h}.${b64({ ...payload, sub: 'admin' })}.${s}`, alg, keyFor(alg)),
    ).toBeUndefined();
    const flipped = Buffer.from(s, 'base64url');
    flipped[3] ^= 1;
    expect(
      verifyCompact(
        `${token.slice(0, token.lastIndexOf('.'))}.${flipped.toString('base64url')}`,
        alg,
        keyFor(alg),
      ),
    ).toBeUndefined();
    expect(verifyCompact(token.slice(0, token.lastIndexOf('.')), alg, keyFor(alg))).toBeUndefined();
    expect(
      verifyCompact(`${token.slice(0, token.lastIndexOf('.'))}.`, alg, keyFor(alg)),
    ).toBeUndefined();
  });

  it('refuses a token whose header names another algorithm, even with a valid signature for it', () => {
    for (const other of JWS_ALGORITHMS.filter((a) => a !== alg)) {
      const foreign = signCompact(payload, signingKey(other));
      expect(verifyCompact(foreign, alg, keyFor(alg))).toBeUndefined();
    }
  });

  it('refuses header members it does not use (jku, jwk, x5u, crit) and a typ other than JWT', () => {
    const base = alg === 'HS256' ? { alg } : { alg, kid: `kid-${alg}` };
    // The control: a hand-signed token with the plain header verifies.
    expect(verifyCompact(signedWithHeader(alg, base), alg, keyFor(alg))).toEqual(payload);
    for (const extra of [
      { jku: 'http://127.0.0.1/jwks' },
      { jwk: { kty: 'oct' } },
      { x5u: 'http://x' },
      { crit: ['exp'] },
      { typ: 'at+jwt' },
    ]) {
      expect(
        verifyCompact(signedWithHeader(alg, { ...base, ...extra }), alg, keyFor(alg)),
      ).toBeUndefined();
    }
  });

  it('refuses a second spelling of the same signature (unused base64url bits)', () => {
    const s = token.slice(token.lastIndexOf('.') + 1);
    const last = s[s.length - 1];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1];
    const respelled = `${token.slice(0, token.lastIndexOf('.') + 1)}${s.slice(0, -1)}${sibling}`;
    expect(verifyCompact(respelled, alg, keyFor(alg))).toBeUndefined();
  });

  it('never throws on garbage', () => {
    for (const junk of [
      '',
      '.',
      '..',
      'a.b.c',
      `${b64({ alg })}.e30.`,
      `${b64([alg])}.e30.AAAA`,
      'é.é.é',
      `${b64({ alg })}.bm90IGpzb24.AAAA`,
    ]) {
      expect(() => verifyCompact(junk, alg, keyFor(alg))).not.toThrow();
      expect(verifyCompact(junk, alg, keyFor(alg))).toBeUndefined();
    }
  });
});

describe('JWS key selection', () => {
  it('requires a kid for the asymmetric algorithms and none for HS256', () => {
    const noKid = signCompact(payload, { alg: 'EdDSA', key: pairs.EdDSA.privateKey });
    expect(verifyCompact(noKid, 'EdDSA', () => pairs.EdDSA.publicKey)).toBeUndefined();
    const withKid = signCompact(payload, { alg: 'HS256', key: secret, kid: 'k' });
    expect(verifyCompact(withKid, 'HS256', () => secret)).toBeUndefined();
  });

  it('refuses a token whose kid names no published key', () => {
    const token = signCompact(payload, {
      alg: 'EdDSA',
      key: pairs.EdDSA.privateKey,
      kid: 'retired',
    });
    expect(verifyCompact(token, 'EdDSA', () => undefined)).toBeUndefined();
  });

  it('refuses an HS256 token signed with the public key of an asymmetric pair used as a secret', () => {
    const pem = pairs.RS256.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = signCompact(payload, { alg: 'HS256', key: createSecretKey(Buffer.from(pem)) });
    expect(verifyCompact(confused, 'RS256', () => pairs.RS256.publicKey)).toBeUndefined();
  });

  it('writes ES256 signatures as r||s (64 bytes), as RFC 7518 requires', () => {
    const token = signCompact(payload, signingKey('ES256'));
    expect(Buffer.from(token.split('.')[2], 'base64url')).toHaveLength(64);
  });
});
