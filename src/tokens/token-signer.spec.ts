import { JwtService } from '@nestjs/jwt';
import { KeyObject, createHmac, createSecretKey, sign } from 'node:crypto';
import { testAuthConfig } from '../../test/support/unit';
import { JWT_ALGORITHMS, JwtAlgorithm } from '../keys/jwt-algorithm';
import { generateSigningKey, toStoredKey } from '../keys/signing-key';
import { SigningKeys } from './signing-keys.service';
import { TokenType } from './entities/token.entity';
import { TokenSigner } from './token-signer';

const pairs = {
  ES256: generateSigningKey('ES256', Date.now() - 1000),
  RS256: generateSigningKey('RS256', Date.now() - 1000),
};

function signerFor(alg: JwtAlgorithm) {
  const auth =
    alg === 'HS256'
      ? testAuthConfig()
      : testAuthConfig({
          algorithm: alg,
          key: undefined,
          keys: {
            dir: '/nonexistent',
            variable: JSON.stringify([toStoredKey(pairs[alg])]),
            reloadIntervalMs: 0,
          },
        });
  const config = { get: () => auth } as never;
  const keys = new SigningKeys(config);
  return { signer: new TokenSigner(keys, new JwtService(keys.jwtOptions()), config), keys, auth };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  sub: 'user-1',
  jti: '0e4a7c52-8d3b-4f6a-9a51-2c8e9b1d7f30',
  sid: '5b1f0c9e-3a7d-4e2b-8c64-9d0f1e2a3b4c',
  typ: TokenType.Access,
  roles: ['user'],
  iat: nowSeconds(),
  exp: nowSeconds() + 60,
  iss: 'unit-issuer',
  aud: 'unit-audience',
});

/** A token with any header and payload, validly signed: what an attacker holding the key could send. */
function handSigned(
  alg: JwtAlgorithm,
  secret: KeyObject | undefined,
  header: object,
  payload: object,
) {
  const input = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', secret as KeyObject)
          .update(data)
          .digest()
      : alg === 'ES256'
        ? sign('sha256', data, { key: pairs.ES256.privateKey, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', data, pairs.RS256.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

describe.each(JWT_ALGORITHMS)('TokenSigner with %s', (alg) => {
  const { signer, keys, auth } = signerFor(alg);
  const baseHeader =
    alg === 'HS256' ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid: pairs[alg].kid };
  const forge = (payload: object, header: object = baseHeader) =>
    handSigned(alg, auth.key, header, payload);

  it('signs with @nestjs/jwt and verifies its own token, of the type asked for only', () => {
    const token = signer.sign(claims());
    expect(signer.verify(token, TokenType.Access)).toEqual(claims());
    expect(signer.verify(token, TokenType.Refresh)).toBeUndefined();
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as object;
    expect(header).toEqual(baseHeader);
  });

  it('hands jsonwebtoken KeyObjects, never strings it would parse on every verify', () => {
    expect(keys.keyForToken(signer.sign(claims()))).toBeInstanceOf(KeyObject);
  });

  it('refuses a changed payload, a changed or empty signature and a truncated token', () => {
    const token = signer.sign(claims());
    const [h, , s] = token.split('.');
    expect(
      signer.verify(`${h}.${b64({ ...claims(), sub: 'admin' })}.${s}`, TokenType.Access),
    ).toBeUndefined();
    const flipped = Buffer.from(s, 'base64url');
    flipped[3] ^= 1;
    const unsigned = token.slice(0, token.lastIndexOf('.'));
    expect(
      signer.verify(`${unsigned}.${flipped.toString('base64url')}`, TokenType.Access),
    ).toBeUndefined();
    expect(signer.verify(unsigned, TokenType.Access)).toBeUndefined();
    expect(signer.verify(`${unsigned}.`, TokenType.Access)).toBeUndefined();
  });

  it('refuses a token of another algorithm, even validly signed with that algorithm', () => {
    for (const other of JWT_ALGORITHMS.filter((a) => a !== alg)) {
      expect(
        signer.verify(signerFor(other).signer.sign(claims()), TokenType.Access),
      ).toBeUndefined();
    }
  });

  it('refuses header members it does not write (jku, jwk, x5u, crit) and a typ other than JWT', () => {
    // The control: a hand-signed token with the plain header verifies.
    expect(signer.verify(forge(claims()), TokenType.Access)).toEqual(claims());
    for (const extra of [
      { jku: 'http://127.0.0.1/jwks' },
      { jwk: { kty: 'oct' } },
      { x5u: 'http://x' },
      { crit: ['exp'] },
      { typ: 'at+jwt' },
    ]) {
      expect(
        signer.verify(forge(claims(), { ...baseHeader, ...extra }), TokenType.Access),
      ).toBeUndefined();
    }
  });

  it('requires a kid under the asymmetric algorithms and none under HS256; an unknown kid is refused', () => {
    const { kid: _kid, ...noKid } = baseHeader as { kid?: string };
    const wrongKid = { ...baseHeader, kid: 'retired' };
    expect(
      signer.verify(forge(claims(), alg === 'HS256' ? wrongKid : noKid), TokenType.Access),
    ).toBeUndefined();
    if (alg !== 'HS256')
      expect(signer.verify(forge(claims(), wrongKid), TokenType.Access)).toBeUndefined();
  });

  it('refuses a second spelling of the same signature (unused base64url bits)', () => {
    const token = signer.sign(claims());
    const s = token.slice(token.lastIndexOf('.') + 1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(s[s.length - 1]) ^ 1];
    const respelled = `${token.slice(0, token.lastIndexOf('.') + 1)}${s.slice(0, -1)}${sibling}`;
    expect(signer.verify(respelled, TokenType.Access)).toBeUndefined();
  });

  it('requires exp, one audience, the pinned issuer and audience, and honours nbf and the leeway', () => {
    const { exp: _exp, ...noExp } = claims();
    expect(signer.verify(forge(noExp), TokenType.Access)).toBeUndefined();
    expect(signer.verifyPayload(forge(noExp))).toBeUndefined();
    expect(
      signer.verifyPayload(forge({ ...claims(), aud: ['unit-audience', 'other'] })),
    ).toBeUndefined();
    expect(signer.verify(forge({ ...claims(), iss: 'other' }), TokenType.Access)).toBeUndefined();
    expect(signer.verify(forge({ ...claims(), aud: 'other' }), TokenType.Access)).toBeUndefined();
    expect(
      signer.verify(forge({ ...claims(), nbf: nowSeconds() + 60 }), TokenType.Access),
    ).toBeUndefined();
    // The leeway is 5 s: 3 s past exp still verifies, 10 s past does not.
    expect(
      signer.verify(forge({ ...claims(), exp: nowSeconds() - 3 }), TokenType.Access),
    ).toBeDefined();
    expect(
      signer.verify(forge({ ...claims(), exp: nowSeconds() - 10 }), TokenType.Access),
    ).toBeUndefined();
  });

  it('verifies at the instant it is given', () => {
    const token = signer.sign(claims());
    expect(signer.verifyPayload(token, Date.now() + 120_000)).toBeUndefined();
    expect(signer.verifyPayload(token, Date.now())).toBeDefined();
  });

  it('checks a token of another kind against its own audience', () => {
    const other = signer.signOther({ typ: 'mfa', sub: 'user-1', jti: 'j' }, 'unit-mfa', 60);
    expect(signer.verifyPayload(other)).toBeUndefined();
    expect(signer.verifyPayload(other, Date.now(), 'unit-mfa')).toMatchObject({ typ: 'mfa' });
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
      forge([]),
      'x'.repeat(10_000),
    ]) {
      expect(() => signer.verify(junk, TokenType.Access)).not.toThrow();
      expect(signer.verify(junk, TokenType.Access)).toBeUndefined();
    }
  });
});

describe('TokenSigner key confusion', () => {
  it('refuses an HS256 token whose secret is the RS256 public key', () => {
    const { signer } = signerFor('RS256');
    const pem = pairs.RS256.publicKey.export({ format: 'pem', type: 'spki' });
    const confused = handSigned(
      'HS256',
      createSecretKey(Buffer.from(pem)),
      { alg: 'HS256', typ: 'JWT', kid: pairs.RS256.kid },
      claims(),
    );
    expect(signer.verify(confused, TokenType.Access)).toBeUndefined();
  });

  it('writes ES256 signatures as r||s (64 bytes), as RFC 7518 requires', () => {
    const token = signerFor('ES256').signer.sign(claims());
    expect(Buffer.from(token.split('.')[2], 'base64url')).toHaveLength(64);
  });
});
