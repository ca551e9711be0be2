import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const USER = '7d0c6b1e-2f4a-4c5e-9b1d-3a8f0e6c2d47';
const OTHER_USER = '0b9e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const secret = randomBytes(20);

  it('opens what it sealed, for the same context', () => {
    expect(box.open(box.seal(secret, USER), USER).equals(secret)).toBe(true);
  });

  it('opens with a second box built from the same key', () => {
    expect(new SecretBox(Buffer.from(key)).open(box.seal(secret, USER), USER).equals(secret)).toBe(
      true,
    );
  });

  it('seals as v1.<keyId>.<iv>.<ciphertext>.<tag> in base64url', () => {
    const parts = box.seal(secret, USER).split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(20);
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(16);
  });

  it('names the key the same way every time, and different keys differently', () => {
    const keyId = (b: SecretBox) => b.seal(secret, USER).split('.')[1];
    expect(keyId(box)).toBe(keyId(box));
    expect(keyId(new SecretBox(randomBytes(32)))).not.toBe(keyId(box));
  });

  it('gives a different sealed value each time for the same secret', () => {
    const a = box.seal(secret, USER);
    const b = box.seal(secret, USER);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('does not put the secret in the sealed value', () => {
    const sealed = box.seal(secret, USER);
    expect(sealed).not.toContain(secret.toString('base64url'));
    expect(Buffer.from(sealed.split('.')[3], 'base64url').equals(secret)).toBe(false);
  });

  it('refuses to open a value copied onto another user', () => {
    const sealed = box.seal(secret, USER);
    expect(() => box.open(sealed, OTHER_USER)).toThrow('cannot open sealed secret');
    expect(() => box.open(sealed, '')).toThrow('cannot open sealed secret');
  });

  it('refuses a value sealed under another key', () => {
    const sealed = new SecretBox(randomBytes(32)).seal(secret, USER);
    expect(() => box.open(sealed, USER)).toThrow('cannot open sealed secret');
  });

  it('refuses a value sealed under another key even when relabelled with this key id', () => {
    const [, keyId] = box.seal(secret, USER).split('.');
    const parts = new SecretBox(randomBytes(32)).seal(secret, USER).split('.');
    parts[1] = keyId;
    expect(() => box.open(parts.join('.'), USER)).toThrow('cannot open sealed secret');
  });

  it.each([
    ['iv', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('refuses a flipped bit anywhere in the %s', (_part, index) => {
    const parts = box.seal(secret, USER).split('.');
    const bytes = Buffer.from(parts[index], 'base64url');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const tampered = [...parts];
      tampered[index] = flipped.toString('base64url');
      expect(() => box.open(tampered.join('.'), USER)).toThrow('cannot open sealed secret');
    }
  });

  it('refuses a change to any character of the sealed string, including the version and key id', () => {
    const sealed = box.seal(secret, USER);
    for (let i = 0; i < sealed.length; i++) {
      // The next base64url symbol differs from the original in its low bit, which for the last
      // character of a part falls in the spare bits Node's decoder would silently ignore.
      const original = sealed[i];
      const replacement =
        original === '.' ? '_' : BASE64URL[(BASE64URL.indexOf(original) + 1) % BASE64URL.length];
      const tampered = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
      expect(() => box.open(tampered, USER)).toThrow('cannot open sealed secret');
    }
  });

  it('refuses every truncation of the sealed string', () => {
    const sealed = box.seal(secret, USER);
    for (let length = 0; length < sealed.length; length++) {
      expect(() => box.open(sealed.slice(0, length), USER)).toThrow('cannot open sealed secret');
    }
  });

  it.each([
    ['an extra part', (s: string) => `${s}.AAAA`],
    ['an unknown version', (s: string) => s.replace(/^v1\./, 'v2.')],
    ['padding', (s: string) => `${s}==`],
    ['a character outside base64url', (s: string) => s.replace(/\.([^.]*)$/, '.+$1')],
    ['trailing whitespace', (s: string) => `${s} `],
  ])('refuses a sealed value with %s', (_label, mangle) => {
    expect(() => box.open(mangle(box.seal(secret, USER)), USER)).toThrow(
      'cannot open sealed secret',
    );
  });

  it.each([0, 16, 31, 33, 64])('refuses a %i-byte key', (length) => {
    expect(() => new SecretBox(Buffer.alloc(length))).toThrow(/32 bytes/);
  });

  it('refuses to seal without a context to bind', () => {
    expect(() => box.seal(secret, '')).toThrow(/context/);
  });

  it('keeps working when the caller later wipes its key buffer', () => {
    const callerKey = randomBytes(32);
    const own = new SecretBox(callerKey);
    const sealed = own.seal(secret, USER);
    callerKey.fill(0);
    expect(own.open(sealed, USER).equals(secret)).toBe(true);
  });
});
