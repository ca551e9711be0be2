import { dictionary } from '@zxcvbn-ts/language-common';
import { isCommonPassword } from './common-passwords';

describe('isCommonPassword', () => {
  it.each([
    ['password', 'the commonest'],
    ['PassWord123', 'any case'],
    ['qwertyuiop', 'a keyboard walk'],
    ['P@ssw0rd', 'look-alike symbols'],
    ['monkey2024!', 'digits and symbols after'],
    ['!!dragon', 'symbols before'],
    ['Sunshine1', 'a capital and a digit'],
    ['l3tm3in!', 'leet and a symbol'],
    ['iloveyou', 'a phrase everyone uses'],
  ])('refuses %j (%s)', (password) => {
    expect(isCommonPassword(password)).toBe(true);
  });

  it.each([
    'correct horse battery staple',
    'Tr0ub4dor&3-vex-quilt',
    'a perfectly fine password',
    'zq8#kLm2!pW',
    '1234abc!xyzzy-9',
  ])('accepts %j', (password) => {
    expect(isCommonPassword(password)).toBe(false);
  });

  it('refuses every one of the 3,000 most common that the length rule lets through, at least', () => {
    const top = dictionary['passwords-common'].slice(0, 3000).filter((p) => p.length >= 8);
    expect(top.length).toBeGreaterThan(500);
    expect(top.filter((p) => !isCommonPassword(p))).toEqual([]);
  });
});
