import { canonicalEmail, emailKey, hasHiddenCharacters } from './canonical-email';

describe('canonicalEmail', () => {
  it.each([
    ['  Ada@Example.COM ', 'ada@example.com', 'case and surrounding spaces'],
    [
      '\uff41\uff44\uff41@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff43\uff4f\uff4d',
      'ada@example.com',
      'full-width letters',
    ],
    ['ada\uff20example.com', 'ada@example.com', 'a full-width @'],
    ['jose\u0301@x.io', 'jos\u00e9@x.io', 'a decomposed accent'],
    ['\ufb01nn@x.io', 'finn@x.io', 'a ligature'],
    ['\u24d0da@x.io', 'ada@x.io', 'a circled letter'],
    ['a@B\u00dcCHER.de', 'a@b\u00fccher.de', 'an upper-case international domain'],
    ['a@xn--bcher-kva.de', 'a@b\u00fccher.de', 'the same domain in punycode'],
  ])('folds %j into %j (%s)', (input, expected) => {
    expect(canonicalEmail(input)).toBe(expected);
  });

  it('keeps apart what mail servers keep apart', () => {
    expect(canonicalEmail('ada.l@x.io')).not.toBe(canonicalEmail('adal@x.io'));
    expect(canonicalEmail('ada+news@x.io')).toBe('ada+news@x.io');
  });

  it.each([
    ['ada@x.io\r\nBcc: eve@x.io', 'CR LF'],
    ['ada@x.io\n', 'a trailing LF (never trimmed away)'],
    ['a\u0000da@x.io', 'NUL'],
    ['a\u200bda@x.io', 'a zero-width space'],
    ['a\u200dda@x.io', 'a zero-width joiner'],
    ['a\u00adda@x.io', 'a soft hyphen'],
    ['\u202eoi.x@ada', 'a right-to-left override'],
    ['a\u2066da\u2069@x.io', 'a directional isolate'],
    ['\ufeffada@x.io', 'a byte order mark'],
    ['a\u2028da@x.io', 'a line separator'],
    ['a\ue000da@x.io', 'a private-use character'],
    ['a\ud800da@x.io', 'a lone surrogate'],
  ])('refuses an address with %s', (input) => {
    expect(hasHiddenCharacters(input)).toBe(true);
    expect(canonicalEmail(input)).toBeUndefined();
    // As a key it matches nothing canonical: the raw input comes back.
    expect(emailKey(input)).toBe(input);
  });

  it('accepts letters of any script', () => {
    expect(
      canonicalEmail('\u05d0\u05d1@\u05d0\u05d1.\u05d9\u05e9\u05e8\u05d0\u05dc'),
    ).toBeDefined();
    expect(canonicalEmail('\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a')).toBe(
      '\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a',
    );
  });

  it('gives the same form when applied to its own result', () => {
    for (const input of [
      '\u00a8ada@x.io',
      ' \uff21da@X.io ',
      'jose\u0301@B\u00dcCHER.de',
      '\u2460@x.io',
      'i\u0307x@x.io',
    ]) {
      const once = canonicalEmail(input) as string;
      expect(canonicalEmail(once)).toBe(once);
    }
  });
});
