import type { MailKind, MailMessage } from './mail-message';

// Pure functions: the caller builds the links (and their tokens), these only word and lay out the
// mail. Every interpolated value is HTML-escaped in the HTML part; the text part is plain text.

interface LinkMailInput {
  to: string;
  appName: string;
  /** Built by the caller, token included. */
  link: string;
  ttlSeconds: number;
}

export function verificationMail({ to, appName, link, ttlSeconds }: LinkMailInput): MailMessage {
  return compose(to, 'email_verification', {
    subject: `Confirm your email address for ${appName}`,
    appName,
    paragraphs: [
      `Confirm that this is your email address to finish setting up your ${appName} account.`,
    ],
    action: { label: 'Confirm email address', link },
    after: [
      `The link is valid for ${humanDuration(ttlSeconds)} and works once.`,
      `If you did not create a ${appName} account, you can ignore this mail.`,
    ],
  });
}

export function passwordResetMail({ to, appName, link, ttlSeconds }: LinkMailInput): MailMessage {
  return compose(to, 'password_reset', {
    subject: `Reset your ${appName} password`,
    appName,
    paragraphs: [`Someone asked to reset the password of your ${appName} account.`],
    action: { label: 'Choose a new password', link },
    after: [
      `The link is valid for ${humanDuration(ttlSeconds)} and works once.`,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
  });
}

export function passwordChangedMail({
  to,
  appName,
  when,
  ip,
}: {
  to: string;
  appName: string;
  when: Date;
  ip?: string | null;
}): MailMessage {
  const from = ip ? ` from the IP address ${ip}` : '';
  return compose(to, 'password_changed', {
    subject: `Your ${appName} password was changed`,
    appName,
    paragraphs: [`The password of your ${appName} account was changed on ${utc(when)}${from}.`],
    after: [
      'If this was you, there is nothing to do.',
      'If it was not, reset your password right away and contact support.',
    ],
  });
}

export function twoFactorChangedMail({
  to,
  appName,
  enabled,
  when,
  resetWindowSeconds = 0,
}: {
  to: string;
  appName: string;
  enabled: boolean;
  when: Date;
  /** How long a password reset may still turn the factor off (MFA_RESET_WINDOW). */
  resetWindowSeconds?: number;
}): MailMessage {
  const state = enabled ? 'turned on' : 'turned off';
  return compose(to, 'two_factor_changed', {
    subject: `Two-factor authentication was ${state} for your ${appName} account`,
    appName,
    paragraphs: [
      `Two-factor authentication was ${state} for your ${appName} account on ${utc(when)}.`,
      enabled
        ? 'Signing in now also asks for a code from your authenticator app.'
        : 'Signing in now asks for your password only.',
    ],
    after: [
      'If this was you, there is nothing to do.',
      enabled && resetWindowSeconds > 0
        ? `If it was not, reset your password right away ("Forgot password") and choose to turn two-factor off with it: a reset can do that for ${humanDuration(resetWindowSeconds)} after this change. Then contact support.`
        : 'If it was not, reset your password right away and contact support.',
    ],
  });
}

/** What happened to a passkey, for the mail that tells its owner. */
export type PasskeyChange = 'added' | 'renamed' | 'removed' | 'removed_by_admin';

export function passkeyChangedMail({
  to,
  appName,
  change,
  name,
  when,
}: {
  to: string;
  appName: string;
  change: PasskeyChange;
  /** The passkey's name (the new one for a rename). */
  name: string;
  when: Date;
}): MailMessage {
  const what: Record<PasskeyChange, [subject: string, line: string]> = {
    added: ['A passkey was added to', 'It can now sign in to your account without a password.'],
    renamed: ['A passkey was renamed on', 'Nothing else changed.'],
    removed: [
      'A passkey was removed from',
      'It can no longer sign in, and the sessions it signed in have ended.',
    ],
    removed_by_admin: [
      'An administrator removed a passkey from',
      'It can no longer sign in, and the sessions it signed in have ended.',
    ],
  };
  const [subject, line] = what[change];
  return compose(to, 'passkey_changed', {
    subject: `${subject} your ${appName} account`,
    appName,
    paragraphs: [`${subject} your ${appName} account on ${utc(when)}: "${name}".`, line],
    after: [
      'If this was you, there is nothing to do.',
      change === 'added'
        ? 'If it was not, reset your password right away ("Forgot password") and choose to remove the second factors added recently: that removes this passkey too. Then contact support.'
        : 'If it was not, change your password right away and contact support.',
    ],
  });
}

/** To the owner of an address someone tried to register again (AUTH_REGISTRATION_QUIET). */
export function registrationAttemptMail({
  to,
  appName,
  link,
}: {
  to: string;
  appName: string;
  link: string;
}): MailMessage {
  return compose(to, 'registration_attempt', {
    subject: `Someone tried to create a ${appName} account with your address`,
    appName,
    paragraphs: [
      `Someone tried to create a ${appName} account with this address, which already has one. No new account was made.`,
    ],
    action: { label: 'Forgot your password? Choose a new one', link },
    after: [
      'If it was you, sign in with your existing account instead.',
      'If it was not, you can ignore this mail.',
    ],
  });
}

/** `86400` → `24 hours`, `1800` → `30 minutes`, `604800` → `7 days`. */
export function humanDuration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['hour', 3600],
    ['minute', 60],
  ];
  // Days only from two on: "24 hours" reads better than "1 day" for a link's lifetime.
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) units.unshift(['day', 86_400]);
  for (const [name, size] of units) {
    if (seconds >= size && seconds % size === 0) return plural(seconds / size, name);
  }
  return plural(seconds, 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** `2025-11-28 14:05 UTC`: unambiguous for a reader in any time zone. */
function utc(when: Date): string {
  return `${when.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface Content {
  subject: string;
  appName: string;
  paragraphs: string[];
  action?: { label: string; link: string };
  after: string[];
}

function compose(to: string, kind: MailKind, content: Content): MailMessage {
  return { to, kind, subject: content.subject, text: textBody(content), html: htmlBody(content) };
}

function textBody({ appName, paragraphs, action, after }: Content): string {
  const blocks = [...paragraphs];
  // Alone on its line so that mail clients make all of it (and only it) clickable.
  if (action) blocks.push(`${action.label}:\n${action.link}`);
  blocks.push(...after, `-- \n${appName}`);
  return `${blocks.join('\n\n')}\n`;
}

// Inline styles only: most mail clients drop <style> blocks; no images, which clients block.
const STYLE = {
  body: 'margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;',
  card: 'max-width:560px;margin:0 auto;padding:32px;background:#ffffff;border-radius:8px;',
  p: 'margin:0 0 16px;font-size:16px;line-height:1.5;',
  button:
    'display:inline-block;padding:12px 24px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600;font-size:16px;',
  small: 'margin:0 0 16px;font-size:13px;line-height:1.5;color:#57606a;word-break:break-all;',
  footer: 'margin:24px 0 0;font-size:13px;color:#57606a;',
};

function htmlBody({ subject, appName, paragraphs, action, after }: Content): string {
  const p = (text: string) => `<p style="${STYLE.p}">${escapeHtml(text)}</p>`;
  const parts = paragraphs.map(p);
  if (action) {
    const href = escapeHtml(action.link);
    parts.push(
      `<p style="${STYLE.p}"><a href="${href}" style="${STYLE.button}">${escapeHtml(action.label)}</a></p>`,
      `<p style="${STYLE.small}">If the button does not work, open this link: <a href="${href}">${href}</a></p>`,
    );
  }
  parts.push(...after.map(p));
  return [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="${STYLE.body}">`,
    `<div style="${STYLE.card}">`,
    ...parts,
    `<p style="${STYLE.footer}">${escapeHtml(appName)}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}
