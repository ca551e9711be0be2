import {
  escapeHtml,
  humanDuration,
  passwordChangedMail,
  passkeyChangedMail,
  passwordResetMail,
  twoFactorChangedMail,
  verificationMail,
} from './templates';

const WHEN = new Date('2025-11-28T14:05:09Z');

describe('mail templates', () => {
  it('puts the verification link alone on its line, with its lifetime', () => {
    const link = 'https://app.example.com/verify-email#token=abc&x=1';
    const mail = verificationMail({
      to: 'a@example.com',
      appName: 'Acme',
      link,
      ttlSeconds: 86_400,
    });
    expect(mail).toMatchObject({
      to: 'a@example.com',
      kind: 'email_verification',
      subject: 'Confirm your email address for Acme',
    });
    expect(mail.text.split('\n')).toContain(link);
    expect(mail.text).toContain('valid for 24 hours');
    expect(mail.html).toContain('href="https://app.example.com/verify-email#token=abc&amp;x=1"');
  });

  it('tells the reader of a password reset mail to ignore it if they did not ask', () => {
    const mail = passwordResetMail({
      to: 'a@example.com',
      appName: 'Acme',
      link: 'https://app.example.com/reset#token=t1',
      ttlSeconds: 1800,
    });
    expect(mail.kind).toBe('password_reset');
    expect(mail.subject).toBe('Reset your Acme password');
    expect(mail.text).toContain('valid for 30 minutes');
    expect(mail.text).toMatch(/did not ask for this, ignore this mail/);
    expect(mail.text.split('\n')).toContain('https://app.example.com/reset#token=t1');
  });

  it('says when and from where the password changed, and what to do if it was not you', () => {
    const mail = passwordChangedMail({
      to: 'a@example.com',
      appName: 'Acme',
      when: WHEN,
      ip: '203.0.113.7',
    });
    expect(mail.kind).toBe('password_changed');
    expect(mail.text).toContain('on 2025-11-28 14:05 UTC from the IP address 203.0.113.7.');
    expect(mail.text).toContain('contact support');
    expect(mail.html).not.toContain('<a ');
    const withoutIp = passwordChangedMail({
      to: 'a@example.com',
      appName: 'Acme',
      when: WHEN,
      ip: null,
    });
    expect(withoutIp.text).toContain('on 2025-11-28 14:05 UTC.');
  });

  it('says whether two-factor authentication was turned on or off', () => {
    const on = twoFactorChangedMail({
      to: 'a@example.com',
      appName: 'Acme',
      enabled: true,
      when: WHEN,
    });
    const off = twoFactorChangedMail({
      to: 'a@example.com',
      appName: 'Acme',
      enabled: false,
      when: WHEN,
    });
    expect(on.kind).toBe('two_factor_changed');
    expect(on.subject).toBe('Two-factor authentication was turned on for your Acme account');
    expect(off.subject).toBe('Two-factor authentication was turned off for your Acme account');
    expect(off.text).toContain('contact support');
  });

  it('tells the owner of a factor turned on how a password reset can turn it off, and for how long', () => {
    const on = twoFactorChangedMail({
      to: 'a@example.com',
      appName: 'Acme',
      enabled: true,
      when: WHEN,
      resetWindowSeconds: 7 * 86_400,
    });
    expect(on.text).toContain('choose to turn two-factor off with it');
    expect(on.text).toContain('7 days');
    const off = twoFactorChangedMail({
      to: 'a@example.com',
      appName: 'Acme',
      enabled: false,
      when: WHEN,
      resetWindowSeconds: 7 * 86_400,
    });
    expect(off.text).not.toContain('turn two-factor off with it');
  });

  it('names the passkey and what changed, and the way out of one added by someone else', () => {
    const when = new Date('2026-11-30T10:00:00Z');
    const added = passkeyChangedMail({
      to: 'ada@example.com',
      appName: 'Acme',
      change: 'added',
      name: '<b>Phone</b>',
      when,
    });
    expect(added).toMatchObject({
      kind: 'passkey_changed',
      subject: 'A passkey was added to your Acme account',
    });
    expect(added.text).toContain('"<b>Phone</b>"');
    expect(added.text).toContain('2026-11-30 10:00 UTC');
    expect(added.text).toMatch(/remove the second factors added recently/);
    expect(added.html).toContain('&lt;b&gt;Phone&lt;/b&gt;');
    expect(added.html).not.toContain('<b>Phone');
    const removed = passkeyChangedMail({
      to: 'ada@example.com',
      appName: 'Acme',
      change: 'removed_by_admin',
      name: 'Phone',
      when,
    });
    expect(removed.subject).toBe('An administrator removed a passkey from your Acme account');
    expect(removed.text).toMatch(/sessions it signed in have ended/);
  });

  it('escapes every interpolated value in the HTML part', () => {
    const mail = verificationMail({
      to: 'a@example.com',
      appName: '<script>alert(1)</script>',
      link: 'https://x.example/"><img src=x onerror=alert(1)>',
      ttlSeconds: 60,
    });
    expect(mail.html).not.toMatch(/<script|<img/);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain(
      'href="https://x.example/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"',
    );
    const changed = passwordChangedMail({
      to: 'a@example.com',
      appName: 'A&B',
      when: WHEN,
      ip: '<1>',
    });
    expect(changed.html).toContain('A&amp;B');
    expect(changed.html).toContain('&lt;1&gt;');
    expect(changed.html).not.toContain('<1>');
  });

  it('words durations as a person would', () => {
    expect(humanDuration(86_400)).toBe('24 hours');
    expect(humanDuration(1800)).toBe('30 minutes');
    expect(humanDuration(3600)).toBe('1 hour');
    expect(humanDuration(7 * 86_400)).toBe('7 days');
    expect(humanDuration(5400)).toBe('90 minutes');
    expect(humanDuration(45)).toBe('45 seconds');
  });

  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});
