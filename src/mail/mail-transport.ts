import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { MailConfig } from '../config/account.config';
import type { MailMessage } from './mail-message';

/** Delivers one mail per call; the Mailer owns queueing and retries. */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** Resolves with where the mail went: the `.eml` file's path, or `smtp <Message-ID>`. */
  deliver(message: MailMessage): Promise<string>;
  /** `force` also ends deliveries in progress (they fail), for a shutdown that gave up on them. */
  close(options?: { force?: boolean }): void;
}

// nodemailer's defaults (2 min to connect, 10 min of socket silence) would let one dead relay hold
// a mail, and a shutdown waiting for it, for minutes; the Mailer retries instead.
const SMTP_TIMEOUTS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 10_000,
};

/** SMTP when SMTP_URL is set; otherwise (development) an outbox directory of `.eml` files. */
export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl ? smtpTransport(config.smtpUrl, config.from) : outboxTransport(config);
}

function smtpTransport(url: string, from: string): MailTransport {
  // Options in the URL (`?pool=false`, `?connectionTimeout=…`) win over these.
  const transporter = nodemailer.createTransport({ url, pool: true, ...SMTP_TIMEOUTS });
  // A transport-level error event without a listener would crash the process; the failed
  // delivery itself is reported to deliver()'s caller.
  transporter.on('error', () => undefined);
  return {
    kind: 'smtp',
    async deliver(message) {
      const info = await transporter.sendMail(envelope(from, message));
      return `smtp ${info.messageId}`;
    },
    close: (options) => transporter.close(options),
  };
}

function outboxTransport(config: MailConfig): MailTransport {
  // RFC 5322 lines end in CRLF, as mail clients expect of an opened .eml file.
  const renderer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });
  return {
    kind: 'outbox',
    async deliver(message) {
      const { message: rendered } = await renderer.sendMail(envelope(config.from, message));
      if (!Buffer.isBuffer(rendered)) throw new Error('the outbox renderer returned a stream');
      // The files hold live one-time tokens: readable by the service's user only.
      await mkdir(config.outboxDir, { recursive: true, mode: 0o700 });
      const file = join(config.outboxDir, outboxFileName(message));
      // Written aside, then renamed: whoever watches the folder sees whole mails only.
      const partial = `${file}.partial`;
      await writeFile(partial, rendered, { mode: 0o600, flag: 'wx' });
      await rename(partial, file);
      return file;
    },
    close: () => renderer.close(),
  };
}

/** `2025-11-28T10-15-02.123Z-password_reset-a1b2c3.eml`: sorts by time, no `:` for Windows. */
function outboxFileName(message: MailMessage, now = new Date()): string {
  const stamp = now.toISOString().replace(/:/g, '-');
  return `${stamp}-${message.kind}-${randomBytes(3).toString('hex')}.eml`;
}

function envelope(from: string, message: MailMessage): SendMailOptions {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: bodyPart('text/plain', message.text),
    html: bodyPart('text/html', message.html),
    // RFC 3834: marks the mail as automatic, so vacation responders do not answer it.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** RFC 5322 section 2.1.1: at most 998 characters a line, the CRLF excluded. */
const MAX_LINE = 998;
/** Printable US-ASCII, tabs and line feeds: nothing a 7bit part may not carry (RFC 2045 §2.7). */
const SEVEN_BIT = /^[\t\n\x20-\x7e]*$/;

/**
 * A body part labelled 7bit and left as written, whenever it is US-ASCII with lines of at most
 * 998 characters; otherwise nodemailer's choice.
 *
 * nodemailer picks 7bit only when no line passes 76 characters, and a mailed link never fits
 * (APP_URL, the path and a 43-character token), so the parts went out quoted-printable: the link
 * cut by soft line breaks (`=` at column 76) and `token=` written `token=3D`. Mail clients decode
 * that, but the raw mail (an outbox `.eml`, "view source", a test reading the SMTP data) showed no
 * usable link. 76 is RFC 2045's limit for encoded lines; a 7bit line may have 998. A part with
 * other characters (a non-ASCII APP_NAME) stays quoted-printable: as 8bit it would need the
 * relay's 8BITMIME (RFC 6152), which nodemailer's transports do not ask for.
 */
function bodyPart(contentType: 'text/plain' | 'text/html', body: string): SendMailOptions['text'] {
  const lines = body.split('\n');
  if (!SEVEN_BIT.test(body) || lines.some((line) => line.length > MAX_LINE)) return body;
  // A raw part is written as is, headers included, without nodemailer's newline conversion:
  // CRLF, as on the wire and in the outbox's files.
  const headers = [
    `Content-Type: ${contentType}; charset=utf-8`,
    'Content-Transfer-Encoding: 7bit',
  ];
  return { raw: [...headers, '', ...lines].join('\r\n') };
}
