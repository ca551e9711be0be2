import * as OTPAuth from 'otpauth';
import {
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  matchTotp,
  otpauthUri,
  totpStep,
} from './totp';

// The shared secret of RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1 rows).
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;

function parseTotp(uri: string): OTPAuth.TOTP {
  const otp = OTPAuth.URI.parse(uri);
  if (!(otp instanceof OTPAuth.TOTP)) throw new Error('expected a TOTP URI');
  return otp;
}

describe('hotp', () => {
  it.each([
    [0, '755224'],
    [1, '287082'],
    [2, '359152'],
    [3, '969429'],
    [4, '338314'],
    [5, '254676'],
    [6, '287922'],
    [7, '162583'],
    [8, '399871'],
    [9, '520489'],
  ])('gives the RFC 4226 Appendix D value for counter %i', (counter, expected) => {
    expect(hotp(RFC_SECRET, counter)).toBe(expected);
  });

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('gives the RFC 6238 Appendix B SHA-1 value at T=%i', (seconds, expected) => {
    expect(hotp(RFC_SECRET, Math.floor(seconds / TOTP_PERIOD_SECONDS), 8)).toBe(expected);
  });

  it('agrees with otpauth for a counter above 2^32', () => {
    const secret = generateTotpSecret();
    const counter = 2 ** 32 + 12345;
    const theirs = OTPAuth.HOTP.generate({
      secret: OTPAuth.Secret.fromBase32(base32Encode(secret)),
      counter,
    });
    expect(hotp(secret, counter)).toBe(theirs);
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('refuses counter %p', (counter) => {
    expect(() => hotp(RFC_SECRET, counter)).toThrow(RangeError);
  });

  it.each([5, 9])('refuses %i digits', (digits) => {
    expect(() => hotp(RFC_SECRET, 0, digits)).toThrow(RangeError);
  });
});

describe('totpStep', () => {
  it('counts whole 30-second periods since the epoch', () => {
    expect(totpStep(0)).toBe(0);
    expect(totpStep(29_999)).toBe(0);
    expect(totpStep(30_000)).toBe(1);
    expect(totpStep(59_000)).toBe(1);
    expect(totpStep(20_000_000_000_000)).toBe(666_666_666);
  });

  it('agrees with otpauth on the current step', () => {
    const now = Date.now();
    expect(totpStep(now)).toBe(OTPAuth.TOTP.counter({ timestamp: now }));
  });
});

describe('generateTotpSecret', () => {
  it('returns 160 random bits, different each time', () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    expect(a).toHaveLength(20);
    expect(a.equals(b)).toBe(false);
  });
});

describe('base32', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('encodes the RFC 4648 §10 vector %p without padding', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain, 'ascii'))).toBe(encoded);
    expect(base32Decode(encoded).toString('ascii')).toBe(plain);
  });

  it('round-trips random secrets and matches otpauth', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateTotpSecret();
      const encoded = base32Encode(secret);
      expect(base32Decode(encoded).equals(secret)).toBe(true);
      expect(encoded).toBe(new OTPAuth.Secret({ buffer: toArrayBuffer(secret) }).base32);
      expect(Buffer.from(OTPAuth.Secret.fromBase32(encoded).bytes).equals(secret)).toBe(true);
    }
  });

  it('decodes lower case, spaces and padding as people type them', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString('ascii')).toBe('foobar');
  });

  it.each(['MZXW1', 'MZXW8', 'MZ=XW', 'MZXW-6'])('refuses %p', (text) => {
    expect(() => base32Decode(text)).toThrow(/invalid base32 character/);
  });
});

describe('matchTotp', () => {
  const secret = generateTotpSecret();
  const uri = otpauthUri({ secret, issuer: 'Gatehouse', account: 'alice@example.com' });
  const theirs = parseTotp(uri);
  // Mid-period, so adding whole periods never straddles a step boundary.
  const now = totpStep() * PERIOD_MS + PERIOD_MS / 2;
  const codeAt = (offsetSteps: number) =>
    theirs.generate({ timestamp: now + offsetSteps * PERIOD_MS });

  it('accepts the code an independent implementation shows now, returning the current step', () => {
    expect(matchTotp(secret, codeAt(0), { nowMs: now })).toBe(totpStep(now));
  });

  it.each([-1, 1])('accepts a code %i step away and returns that step', (offset) => {
    expect(matchTotp(secret, codeAt(offset), { nowMs: now })).toBe(totpStep(now) + offset);
  });

  it.each([-2, 2])('refuses a code %i steps away', (offset) => {
    const code = codeAt(offset);
    // Rule out the one-in-a-million chance that this code also belongs to a step in the window.
    const inWindow = [-1, 0, 1].map(codeAt);
    if (inWindow.includes(code)) return;
    expect(matchTotp(secret, code, { nowMs: now })).toBeUndefined();
  });

  it('accepts only the current step with a window of 0', () => {
    expect(matchTotp(secret, codeAt(0), { nowMs: now, window: 0 })).toBe(totpStep(now));
    if (codeAt(1) !== codeAt(0)) {
      expect(matchTotp(secret, codeAt(1), { nowMs: now, window: 0 })).toBeUndefined();
    }
  });

  it('widens to the window it is given', () => {
    expect(matchTotp(secret, codeAt(-2), { nowMs: now, window: 2 })).toBe(totpStep(now) - 2);
  });

  it('ignores surrounding spaces', () => {
    expect(matchTotp(secret, ` ${codeAt(0)} `, { nowMs: now })).toBe(totpStep(now));
  });

  it('uses the real clock when no time is given', () => {
    expect(matchTotp(secret, theirs.generate())).toBeGreaterThanOrEqual(totpStep() - 1);
  });

  it.each([
    '12345',
    '1234567',
    '12a456',
    '',
    '      ',
    '123 456',
    '１２３４５６',
    '-12345',
    '+123456',
  ])('refuses the malformed code %p', (code) => {
    expect(matchTotp(secret, code, { nowMs: now })).toBeUndefined();
  });

  it('refuses the right code under another secret', () => {
    const other = generateTotpSecret();
    const code = hotp(other, totpStep(now));
    const inWindow = [-1, 0, 1].map(codeAt);
    if (inWindow.includes(code)) return;
    expect(matchTotp(secret, code, { nowMs: now })).toBeUndefined();
  });

  it('checks the RFC 6238 vector at T=59 through the window', () => {
    // 6-digit form of 94287082 at step 1.
    expect(matchTotp(RFC_SECRET, '287082', { nowMs: 59_000 })).toBe(1);
  });

  it('does not look before the epoch', () => {
    expect(matchTotp(RFC_SECRET, '755224', { nowMs: 0 })).toBe(0);
  });

  it.each([-1, 1.5, 11])('refuses a window of %p', (window) => {
    expect(() => matchTotp(secret, codeAt(0), { nowMs: now, window })).toThrow(RangeError);
  });
});

describe('otpauthUri', () => {
  const secret = Buffer.from('12345678901234567890', 'ascii');

  it('follows the Key Uri Format', () => {
    expect(otpauthUri({ secret, issuer: 'Gatehouse', account: 'alice@example.com' })).toBe(
      'otpauth://totp/Gatehouse:alice%40example.com' +
        '?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('round-trips an issuer and account with spaces, @ and : through otpauth', () => {
    const issuer = 'Gatehouse Staging & Co';
    const account = 'ops:alice smith+mfa@example.com';
    const parsed = parseTotp(otpauthUri({ secret, issuer, account }));

    expect(parsed.issuer).toBe(issuer);
    expect(parsed.label).toBe(account);
    expect(parsed.issuerInLabel).toBe(true);
    expect(parsed.algorithm).toBe('SHA1');
    expect(parsed.digits).toBe(TOTP_DIGITS);
    expect(parsed.period).toBe(TOTP_PERIOD_SECONDS);
    expect(Buffer.from(parsed.secret.bytes).equals(secret)).toBe(true);
  });

  it('encodes spaces as %20, not +', () => {
    const uri = otpauthUri({ secret, issuer: 'Gate house', account: 'a b' });
    expect(uri.startsWith('otpauth://totp/Gate%20house:a%20b?')).toBe(true);
    expect(uri).toContain('&issuer=Gate%20house&');
  });

  it('refuses an issuer containing a colon, which would split the label in the wrong place', () => {
    expect(() => otpauthUri({ secret, issuer: 'Gate:house', account: 'alice' })).toThrow(/colon/);
  });

  it.each([
    ['', 'alice'],
    ['Gatehouse', ''],
  ])('refuses an empty issuer or account (%p, %p)', (issuer, account) => {
    expect(() => otpauthUri({ secret, issuer, account })).toThrow();
  });
});

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  return copy;
}
