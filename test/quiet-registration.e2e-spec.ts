import { databaseKinds } from './support/databases';
import { Inbox, startInbox } from './support/smtp-inbox';
import { TestApp, createTestApp, uniqueEmail } from './support/test-app';

/** Headers whose values differ between any two answers, by design. */
const PER_REQUEST = new Set(['date', 'x-request-id', 'etag', 'content-length']);

/**
 * AUTH_REGISTRATION_QUIET (ASVS 6.3.8): registering an address that has an account answers as a
 * new registration does, and mails the owner instead.
 */
describe.each(databaseKinds())('quiet registration on %s', (kind) => {
  let t: TestApp;
  let inbox: Inbox;
  beforeAll(async () => {
    inbox = await startInbox();
    t = await createTestApp(kind, {
      AUTH_REGISTRATION_QUIET: 'true',
      SMTP_URL: inbox.url,
      APP_URL: 'https://app.example.com',
      MAIL_RESEND_INTERVAL: '0',
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await inbox?.close();
  });

  const register = (email: string) =>
    t.http().post('/auth/register').send({ email, password: 'a perfectly fine password' });
  const shape = (res: { status: number; body: unknown; headers: Record<string, string> }) => ({
    status: res.status,
    body: res.body,
    headers: Object.keys(res.headers)
      .filter((name) => !PER_REQUEST.has(name))
      .sort(),
  });

  it('answers a taken address exactly as a new one, and mails its owner instead', async () => {
    const owner = uniqueEmail();
    const fresh = uniqueEmail();
    const before = inbox.count();
    const first = await register(owner);
    const taken = await register(owner.toUpperCase());
    const other = await register(fresh);
    expect(first.status).toBe(202);
    expect(shape(taken)).toEqual(shape(first));
    expect(shape(other)).toEqual(shape(first));
    expect(first.body).toEqual({ message: expect.stringMatching(/mail is on its way/) });

    await inbox.waitFor(owner, { after: before, kind: /confirm/i });
    await inbox.waitFor(fresh, { after: before, kind: /confirm/i });
    const attempt = await inbox.waitFor(owner, { after: before, kind: /tried to create/i });
    expect(attempt.text).toContain('https://app.example.com/forgot-password');
    // The account is the first one, untouched: its password still signs in.
    await t
      .http()
      .post('/auth/login')
      .send({ email: owner, password: 'a perfectly fine password' })
      .expect(200);
  });

  it('still refuses what is not an address, as any registration does', async () => {
    await register('not an address').expect(400);
  });
});
