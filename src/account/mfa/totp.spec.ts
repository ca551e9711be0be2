import * as OTPAuth from 'otpauth';
import {
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  generateTotpSecret,
  matchTotp,
  otpauthUri,
  totpSecretText,
} from './totp';

// The shared secret of RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1 rows).
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;
const totpStep = (nowMs = Date.now()) => Math.floor(nowMs / PERIOD_MS);

function parseTotp(uri: string): OTPAuth.TOTP {
  const otp = OTPAuth.URI.parse(uri);
  if (!(otp instanceof OTPAuth.TOTP)) throw new Error('expected a TOTP URI');
  return otp;
}

describe('generateTotpSecret and totpSecretText', () => {
  it('returns 160 random bits, different each time, written as unpadded base32', () => {
    const a = generateTotpSecret();
    expect(a).toHaveLength(20);
    expect(a.equals(generateTotpSecret())).toBe(false);
    expect(totpSecretText(a)).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(OTPAuth.Secret.fromBase32(totpSecretText(a)).bytes).equals(a)).toBe(true);
  });

  it('reads only the bytes of a Buffer that is a view into a larger one', () => {
    const pool = Buffer.from('xxxx12345678901234567890yyyy', 'ascii');
    const view = pool.subarray(4, 24);
    expect(totpSecretText(view)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(matchTotp(view, '287082', { nowMs: 59_000 })).toBe(1);
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
    const code = parseTotp(otpauthUri({ secret: other, issuer: 'x', account: 'y' })).generate({
      timestamp: now,
    });
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
});

describe('otpauthUri', () => {
  const secret = Buffer.from('12345678901234567890', 'ascii');

  it('follows the Key Uri Format', () => {
    expect(otpauthUri({ secret, issuer: 'Gatehouse', account: 'alice@example.com' })).toBe(
      'otpauth://totp/Gatehouse:alice%40example.com' +
        '?issuer=Gatehouse&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30',
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
    expect(uri).toContain('?issuer=Gate%20house&');
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
