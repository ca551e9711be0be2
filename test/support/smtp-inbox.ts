import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { setTimeout as pause } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback that keeps every mail it accepts, parsed. */
export interface Inbox {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** In order of arrival; a mail is here before its sender sees the 250 reply. */
  mails: ParsedMail[];
  /**
   * The first mail to `to` (envelope or To: header, any case) whose subject matches `kind`,
   * among those after the first `after` ones (pass an earlier count()). Rejects after
   * `timeoutMs` (default 5000).
   */
  waitFor(
    to: string,
    opts?: { after?: number; timeoutMs?: number; kind?: RegExp },
  ): Promise<ParsedMail>;
  count(): number;
  /** The message as the server received it (dot-unstuffed), before any decoding. */
  raw(mail: ParsedMail): string;
  /** The next `n` mails are refused at RCPT TO with `code` (451, temporary, by default). */
  refuseNext(n: number, code?: number): void;
  close(): Promise<void>;
}

const POLL_MS = 25;

export async function startInbox(): Promise<Inbox> {
  const mails: ParsedMail[] = [];
  const recipients: string[][] = [];
  const raws = new WeakMap<ParsedMail, string>();
  let refusals: { left: number; code: number } = { left: 0, code: 451 };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // close() would otherwise wait 30 s for a client's idle pooled connection.
    closeTimeout: 100,
    onRcptTo(address, _session, callback) {
      if (refusals.left === 0) return callback();
      refusals.left--;
      // Quotes the address as real servers do, so tests see whether it leaks into logs.
      const temporary = refusals.code < 500;
      const error = new Error(
        `<${address.address}>: ${temporary ? 'greylisted, try again later' : 'no such user'}`,
      );
      callback(Object.assign(error, { responseCode: refusals.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            raws.set(mail, raw.toString('utf8'));
            mails.push(mail);
            recipients.push(session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()));
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // smtp-server reports client errors (a dropped connection) here; unhandled, they would throw.
  server.on('error', () => undefined);
  const { port } = server.server.address() as AddressInfo;

  const addressedTo = (index: number, to: string): boolean => {
    const headers = ([] as AddressObject[]).concat(mails[index].to ?? []);
    const addresses = [
      ...recipients[index],
      ...headers.flatMap((h) => h.value.map((v) => v.address?.toLowerCase())),
    ];
    return addresses.includes(to.toLowerCase());
  };

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(to, { after = 0, timeoutMs = 5000, kind } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (let i = after; i < mails.length; i++) {
          if (addressedTo(i, to) && (!kind || kind.test(mails[i].subject ?? ''))) return mails[i];
        }
        if (Date.now() >= deadline) {
          const seen = mails.map((m, i) => `${recipients[i].join(',')}: ${m.subject}`);
          throw new Error(
            `no mail to ${to}${kind ? ` with a subject matching ${String(kind)}` : ''} ` +
              `within ${timeoutMs} ms (after ${after}); the inbox has ${mails.length}: ` +
              (seen.length > 0 ? seen.join(' | ') : 'none'),
          );
        }
        await pause(POLL_MS);
      }
    },
    count: () => mails.length,
    raw(mail) {
      const raw = raws.get(mail);
      if (raw === undefined) throw new Error('raw(): not a mail of this inbox');
      return raw;
    },
    refuseNext(n, code = 451) {
      refusals = { left: n, code };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `token=` value of the first link in the text body (`?token=`, `&token=` or `#token=`). */
export function linkToken(mail: ParsedMail): string | undefined {
  const match = /[?&#]token=([^&#\s"'<>]+)/.exec(mail.text ?? '');
  return match ? decodeURIComponent(match[1]) : undefined;
}
