import { Logger } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { simpleParser } from 'mailparser';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Mail from 'nodemailer/lib/mailer';
import { Inbox, linkToken, startInbox } from '../../test/support/smtp-inbox';
import { testConfigModule, testAuthConfig } from '../../test/support/unit';
import { loadMailConfig } from '../config/account.config';
import { MailModule } from './mail.module';
import { Mailer } from './mailer.service';
import { verificationMail } from './templates';

const TO = 'alice.secret@example.com';
const LINK = 'https://app.example.com/verify-email#token=tok_ABC123secret';

function mail(to = TO) {
  return verificationMail({ to, appName: 'Gatehouse', link: LINK, ttlSeconds: 86_400 });
}

async function mailerModule(env: Record<string, string>): Promise<TestingModule> {
  const config = loadMailConfig({ MAIL_RETRY_DELAY: '10ms', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ...(await testConfigModule(testAuthConfig(), undefined, undefined, config)),
      MailModule,
    ],
  }).compile();
  return moduleRef.init();
}

/** The lines the Mail logger wrote at a level (not Nest's own boot lines). */
function lines(spy: jest.SpyInstance): string[] {
  return spy.mock.calls
    .filter((_, i) => (spy.mock.contexts[i] as { context?: string }).context === 'Mail')
    .map((args: unknown[]) => args.map(String).join(' '));
}

describe('Mailer', () => {
  let inbox: Inbox;
  let moduleRef: TestingModule | undefined;
  let info: jest.SpyInstance;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeAll(async () => {
    inbox = await startInbox();
  });
  afterAll(() => inbox.close());

  beforeEach(() => {
    info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    inbox.refuseNext(0);
    await moduleRef?.close();
    moduleRef = undefined;
    jest.restoreAllMocks();
  });

  const smtpMailer = async (env: Record<string, string> = {}) => {
    moduleRef = await mailerModule({ SMTP_URL: inbox.url, ...env });
    return moduleRef.get(Mailer);
  };

  /** No log line at any level holds the address, the subject, the link or its token. */
  const expectNoSecretsLogged = () => {
    const logged = [...lines(info), ...lines(warn), ...lines(error)].join('\n');
    for (const secret of [TO, 'alice.secret', mail().subject, 'tok_ABC123secret', LINK]) {
      expect(logged).not.toContain(secret);
    }
  };

  it('delivers a mail over SMTP with its subject, a text and an HTML part', async () => {
    const mailer = await smtpMailer();
    const before = inbox.count();
    mailer.send(mail());
    await mailer.idle();

    const received = await inbox.waitFor(TO, { after: before });
    expect(received.subject).toBe('Confirm your email address for Gatehouse');
    expect(received.text).toContain(`\n${LINK}\n`);
    expect(received.html).toContain(`href="${LINK}"`);
    expect(linkToken(received)).toBe('tok_ABC123secret');
    expect(received.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mailer.stats()).toEqual({ sent: 1, failed: 0, pending: 0, retries: 0 });
    expect(lines(info)).toEqual([`mail sent via smtp ${received.messageId} (email_verification)`]);
    expectNoSecretsLogged();
  });

  it('sends the parts as 7bit, the whole link on one line of the raw message', async () => {
    const mailer = await smtpMailer();
    const before = inbox.count();
    mailer.send(mail());
    await mailer.idle();

    const raw = inbox.raw(await inbox.waitFor(TO, { after: before }));
    const lines = raw.split('\r\n');
    // The text part's line is the link alone; the HTML part's lines hold it whole, unescaped.
    expect(lines).toContain(LINK);
    expect(lines.filter((line) => line.includes(`href="${LINK}"`))).toHaveLength(2);
    expect(raw).not.toMatch(/quoted-printable|base64|=3D|=\r\n/i);
    expect(raw.match(/^Content-Transfer-Encoding: .*$/gm)).toEqual([
      'Content-Transfer-Encoding: 7bit',
      'Content-Transfer-Encoding: 7bit',
    ]);
    expect(lines.every((line) => line.length <= 998)).toBe(true);
  });

  it('falls back on quoted-printable for a non-ASCII mail, which still decodes to the link', async () => {
    const mailer = await smtpMailer();
    const before = inbox.count();
    mailer.send(verificationMail({ to: TO, appName: 'Gästehaus', link: LINK, ttlSeconds: 60 }));
    await mailer.idle();

    const received = await inbox.waitFor(TO, { after: before });
    expect(inbox.raw(received)).toMatch(/^Content-Transfer-Encoding: quoted-printable$/m);
    expect(received.subject).toBe('Confirm your email address for Gästehaus');
    expect(received.text).toContain(`\n${LINK}\n`);
    expect(received.html).toContain(`href="${LINK}"`);
  });

  it('returns from send() at once and starts delivering on a later tick', async () => {
    const mailer = await smtpMailer();
    const sendMail = jest.spyOn(Mail.prototype, 'sendMail');
    const before = inbox.count();

    expect(mailer.send(mail())).toBeUndefined();
    expect(mailer.stats()).toMatchObject({ pending: 1, sent: 0 });
    await Promise.resolve();
    await new Promise(process.nextTick);
    expect(sendMail).not.toHaveBeenCalled();

    await mailer.idle();
    expect(sendMail).toHaveBeenCalledTimes(1);
    expect(inbox.count()).toBe(before + 1);
  });

  it('never throws from send(), even once shut down, and counts the refused mail', async () => {
    const mailer = await smtpMailer();
    await mailer.shutdown();
    expect(() => mailer.send(mail())).not.toThrow();
    expect(mailer.stats()).toEqual({ sent: 0, failed: 1, pending: 0, retries: 0 });
    expect(lines(error)).toEqual(['mail not sent, the mailer is shut down (email_verification)']);
  });

  it('retries a temporary refusal with backoff and delivers', async () => {
    const mailer = await smtpMailer({ MAIL_MAX_ATTEMPTS: '5' });
    const before = inbox.count();
    inbox.refuseNext(2);
    mailer.send(mail());
    await mailer.idle();

    await expect(inbox.waitFor(TO, { after: before })).resolves.toBeDefined();
    expect(mailer.stats()).toEqual({ sent: 1, failed: 0, pending: 0, retries: 2 });
    expect(lines(warn)).toEqual([
      'mail attempt 1 of 5 failed (email_verification): EENVELOPE SMTP 451 at RCPT TO; retrying in 10 ms',
      'mail attempt 2 of 5 failed (email_verification): EENVELOPE SMTP 451 at RCPT TO; retrying in 20 ms',
    ]);
    expect(error).not.toHaveBeenCalled();
    expectNoSecretsLogged();
  });

  it('gives a mail up after MAIL_MAX_ATTEMPTS and logs it without recipient or content', async () => {
    const mailer = await smtpMailer({ MAIL_MAX_ATTEMPTS: '3' });
    const before = inbox.count();
    inbox.refuseNext(99);
    mailer.send(mail());
    await mailer.idle();

    expect(mailer.stats()).toEqual({ sent: 0, failed: 1, pending: 0, retries: 2 });
    expect(inbox.count()).toBe(before);
    expect(lines(error)).toEqual([
      'mail given up after 3 attempt(s) (email_verification): EENVELOPE SMTP 451 at RCPT TO; 1 undeliverable since start',
    ]);
    expectNoSecretsLogged();
  });

  it('gives a mail up at once when the server rejects it permanently', async () => {
    const mailer = await smtpMailer({ MAIL_MAX_ATTEMPTS: '5' });
    inbox.refuseNext(1, 550);
    mailer.send(mail());
    await mailer.idle();

    expect(mailer.stats()).toEqual({ sent: 0, failed: 1, pending: 0, retries: 0 });
    expect(lines(error)).toEqual([
      'mail given up after 1 attempt(s), permanently rejected (email_verification): EENVELOPE SMTP 550 at RCPT TO; 1 undeliverable since start',
    ]);
    expectNoSecretsLogged();
  });

  it('gives a mail up when no SMTP server answers, naming the connection error', async () => {
    const port = await closedPort();
    moduleRef = await mailerModule({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_MAX_ATTEMPTS: '2',
    });
    const mailer = moduleRef.get(Mailer);
    mailer.send(mail());
    await mailer.idle();

    expect(mailer.stats()).toEqual({ sent: 0, failed: 1, pending: 0, retries: 1 });
    expect(lines(error)).toHaveLength(1);
    expect(lines(error)[0]).toMatch(
      /^mail given up after 2 attempt\(s\) \(email_verification\): E[A-Z]+ ECONNREFUSED/,
    );
    expectNoSecretsLogged();
  });

  describe('without SMTP_URL', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gatehouse-outbox-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('writes each mail as a private .eml file in the outbox and logs its path', async () => {
      const outbox = join(dir, 'outbox');
      moduleRef = await mailerModule({ MAIL_OUTBOX_DIR: outbox });
      const mailer = moduleRef.get(Mailer);
      mailer.send(mail());
      await mailer.idle();

      const files = await readdir(outbox);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-email_verification-[0-9a-f]{6}\.eml$/,
      );
      const file = join(outbox, files[0]);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(outbox)).mode & 0o777).toBe(0o700);

      const raw = await readFile(file);
      expect(raw.toString()).toContain('Subject: Confirm your email address for Gatehouse\r\n');
      // Lines end in CRLF throughout, the 7bit parts' included, and the link is whole.
      expect(raw.toString()).not.toMatch(/[^\r]\n/);
      expect(raw.toString().split('\r\n')).toContain(LINK);
      const parsed = await simpleParser(raw);
      expect(parsed.text).toContain(LINK);
      expect(parsed.html).toContain(`href="${LINK}"`);
      expect(mailer.stats()).toEqual({ sent: 1, failed: 0, pending: 0, retries: 0 });
      expect(lines(info)).toEqual([`mail written to ${file} (email_verification)`]);
    });
  });

  describe('at shutdown', () => {
    it('delivers pending mails first, retries included without waiting for their delay', async () => {
      // A retry delay far beyond the test's timeout: only the drain can deliver in time.
      const mailer = await smtpMailer({ MAIL_RETRY_DELAY: '600s' });
      const before = inbox.count();
      inbox.refuseNext(1);
      const recipients = ['a@example.com', 'b@example.com', 'c@example.com'];
      for (const to of recipients) mailer.send(mail(to));
      await waitUntil(() => lines(warn).length === 1);

      await moduleRef!.close();
      moduleRef = undefined;
      expect(mailer.stats()).toEqual({ sent: 3, failed: 0, pending: 0, retries: 1 });
      expect(inbox.count()).toBe(before + 3);
      for (const to of recipients) await inbox.waitFor(to, { after: before, timeoutMs: 0 });
    });

    it('drops what is still undelivered when the bound is hit, and says how many', async () => {
      const stalling = await stallingServer();
      try {
        moduleRef = await mailerModule({ SMTP_URL: `smtp://127.0.0.1:${stalling.port}` });
        const mailer = moduleRef.get(Mailer);
        mailer.send(mail());
        mailer.send(mail());
        await waitUntil(() => stalling.sockets.size > 0);

        const started = Date.now();
        await mailer.shutdown(100);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(mailer.stats()).toEqual({ sent: 0, failed: 2, pending: 0, retries: 0 });
        await expect(mailer.idle()).resolves.toBeUndefined();
        expect(lines(error)).toEqual([
          'shutdown: dropped 2 mail(s) still undelivered after 100 ms',
        ]);
      } finally {
        await stalling.close();
      }
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never sends the SMTP greeting. */
async function stallingServer(): Promise<{
  port: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
