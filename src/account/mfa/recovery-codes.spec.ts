import { createHash } from 'node:crypto';
import {
  RECOVERY_CODE_COUNT,
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
} from './recovery-codes';

const USER = '7d1c6c6e-1f0a-4a4e-9c55-0b8e3f1b2a10';
const FORMAT = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

describe('generateRecoveryCodes', () => {
  it('gives ten distinct codes formatted xxxx-xxxx-xxxx from the unambiguous alphabet', () => {
    const codes = generateRecoveryCodes();
    expect(RECOVERY_CODE_COUNT).toBe(10);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
  });

  it('gives the number of codes asked for', () => {
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it('gives a new set each time', () => {
    const first = new Set(generateRecoveryCodes());
    expect(generateRecoveryCodes().some((code) => first.has(code))).toBe(false);
  });

  it('uses every symbol of the alphabet and never i, l, o or u', () => {
    const seen = new Set(
      Array.from({ length: 20 }, () => generateRecoveryCodes())
        .flat()
        .join('')
        .replace(/-/g, ''),
    );
    expect([...seen].sort().join('')).toBe('0123456789abcdefghjkmnpqrstvwxyz');
  });

  it.each([0, -1, 1.5, 101])('refuses a count of %p', (count) => {
    expect(() => generateRecoveryCodes(count)).toThrow(RangeError);
  });

  it('gives codes that normalise to themselves without the dashes', () => {
    for (const code of generateRecoveryCodes()) {
      expect(normalizeRecoveryCode(code)).toBe(code.replace(/-/g, ''));
    }
  });
});

describe('normalizeRecoveryCode', () => {
  it.each([
    ['abcd-efgh-jkmn', 'abcdefghjkmn'],
    ['ABCD-EFGH-JKMN', 'abcdefghjkmn'],
    ['abcdefghjkmn', 'abcdefghjkmn'],
    ['  abcd efgh jkmn ', 'abcdefghjkmn'],
    ['abcd - efgh - jkmn', 'abcdefghjkmn'],
    ['ab-cd-ef-gh-jk-mn', 'abcdefghjkmn'],
    ['\tabcd-efgh-jkmn\n', 'abcdefghjkmn'],
  ])('reads %p as %p', (input, expected) => {
    expect(normalizeRecoveryCode(input)).toBe(expected);
  });

  it('reads the look-alikes i, l and o as 1, 1 and 0, as Crockford does', () => {
    expect(normalizeRecoveryCode('IiLl-Oo00-1111')).toBe('111100001111');
  });

  it.each([
    ['a code one character short', 'abcd-efgh-jkm'],
    ['a code one character long', 'abcd-efgh-jkmnp'],
    ['an empty string', ''],
    ['only dashes', '----'],
    ['a u, which Crockford leaves out', 'abcd-efgh-jkmu'],
    ['dots as separators', 'abcd.efgh.jkmn'],
    ['a non-ASCII letter', 'abcd-efgh-jkmñ'],
  ])('refuses %s', (_label, input) => {
    expect(normalizeRecoveryCode(input)).toBeUndefined();
  });
});

describe('hashRecoveryCode', () => {
  it('gives the hex SHA-256 of the user id and the normalised code', () => {
    expect(hashRecoveryCode('abcdefghjkmn', USER)).toBe(
      createHash('sha256').update(`${USER}:abcdefghjkmn`).digest('hex'),
    );
  });

  it('gives another hash for the same code of another user', () => {
    expect(hashRecoveryCode('abcdefghjkmn', USER)).not.toBe(
      hashRecoveryCode('abcdefghjkmn', 'other-user'),
    );
  });

  it('gives the same hash however the code was typed', () => {
    const typed = ['ABCD-EFGH-JKMN', 'abcd efgh jkmn', 'abcdefghjkmn'];
    const hashes = typed.map((input) => hashRecoveryCode(normalizeRecoveryCode(input)!, USER));
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives different hashes for different codes', () => {
    expect(hashRecoveryCode('abcdefghjkmn', USER)).not.toBe(hashRecoveryCode('abcdefghjkmp', USER));
  });

  it('refuses a code that was not normalised first', () => {
    expect(() => hashRecoveryCode('abcd-efgh-jkmn', USER)).toThrow(/normalised/);
    expect(() => hashRecoveryCode('ABCDEFGHJKMN', USER)).toThrow(/normalised/);
  });
});
