import type { ParsedMail } from 'mailparser';
import * as OTPAuth from 'otpauth';
import type { Browser } from 'playwright-core';
import { AuditLog } from '../src/common/audit/audit-log.service';
import { PasskeyChallenge } from '../src/passkeys/entities/passkey-challenge.entity';
import { Passkey } from '../src/passkeys/entities/passkey.entity';
import { PasskeysService } from '../src/passkeys/passkeys.service';
import { DatabaseKind, databaseKinds } from './support/databases';
import {
  Answered,
  PasskeyTab,
  base64url,
  cloneInto,
  openPasskeyTab,
} from './support/passkey-browser';
import { freePort } from './support/processes';
import { Inbox, linkToken, startInbox } from './support/smtp-inbox';
import { adapter, chromiumAvailable, launchChromium } from './support/swagger-ui';
import { TestApp, createTestApp } from './support/test-app';

/**
 * Passkeys in headless Chromium, through the DevTools protocol's virtual authenticator, against
 * the real app on `http://localhost:<port>` (localhost: the one RP id a plain-http page may use).
 * Each person gets a browser context and an authenticator of their own. Runs on every database,
 * and on whichever adapter HTTP_ADAPTER names (CI runs the e2e suites on both).
 */
const haveChromium = chromiumAvailable('passkeys.e2e-spec');

const bearer = (access: string) => ({ Authorization: `Bearer ${access}` });

interface Person {
  id: string;
  email: string;
  password: string;
  access: string;
  tab: PasskeyTab;
}

/** Boots the app on localhost with a real SMTP inbox, and launches the browser. */
function passkeyApp(kind: DatabaseKind, env: Record<string, string> = {}) {
  const ctx = {} as { t: TestApp; inbox: Inbox; origin: string; browser: Browser };
  const tabs: PasskeyTab[] = [];
  beforeAll(async () => {
    ctx.inbox = await startInbox();
    const port = await freePort();
    ctx.origin = `http://localhost:${port}`;
    ctx.t = await createTestApp(kind, {
      SMTP_URL: ctx.inbox.url,
      APP_URL: ctx.origin,
      MAIL_RESEND_INTERVAL: '0',
      ...env,
    });
    await ctx.t.app.listen(port, '127.0.0.1');
    ctx.browser = await launchChromium();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(tabs.splice(0).map((tab) => tab.close()));
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.t?.close();
    await ctx.inbox?.close();
  }, 30_000);

  /** A registered, signed-in account with a browser tab of its own (no passkey yet). */
  const person = async (origin = ctx.origin): Promise<Person> => {
    const { id, email, password } = await ctx.t.register();
    const { access } = await ctx.t.login(email, password);
    const tab = await openPasskeyTab(ctx.browser, origin);
    tabs.push(tab);
    return { id, email, password, access, tab };
  };

  /** The same, with a passkey registered from its tab. */
  const personWithPasskey = async (): Promise<Person & { passkeyId: string }> => {
    const p = await person();
    const registered = await p.tab.register(p.access, 'Test device');
    expect(registered.status).toBe(201);
    return { ...p, passkeyId: registered.body.id as string };
  };

  const tab = async (origin = ctx.origin, path?: string) => {
    const opened = await openPasskeyTab(ctx.browser, origin, path);
    tabs.push(opened);
    return opened;
  };

  return { ctx, person, personWithPasskey, tab };
}

const accessOf = (answered: Answered) => answered.body.access_token as string;

(haveChromium ? describe : describe.skip)(`passkeys in Chromium (${adapter})`, () => {
  describe.each(databaseKinds())('on %s', (kind) => {
    const { ctx, person, personWithPasskey, tab } = passkeyApp(kind);
    const http = () => ctx.t.http();
    const mailTo = (email: string, after: number, kind: RegExp): Promise<ParsedMail> =>
      ctx.inbox.waitFor(email, { after, kind });

    const signInOptions = async (body: Record<string, unknown> = {}) =>
      (await http().post('/auth/passkeys/login/options').send(body).expect(200)).body as Record<
        string,
        unknown
      >;
    const signInWith = (response: unknown) =>
      http().post('/auth/passkeys/login').send({ response });

    it('registers a passkey from the browser: listed with its name, and mailed to the owner', async () => {
      const p = await person();
      const before = ctx.inbox.count();
      const registered = await p.tab.register(p.access, 'MacBook Touch ID');
      expect(registered).toMatchObject({
        status: 201,
        body: { name: 'MacBook Touch ID', device_type: 'singleDevice', transports: ['internal'] },
      });
      const list = await http().get('/auth/passkeys').set(bearer(p.access)).expect(200);
      expect(list.body).toEqual([registered.body]);
      const mail = await mailTo(p.email, before, /passkey was added/);
      expect(mail.text).toContain('"MacBook Touch ID"');
      // The authenticator holds a discoverable credential for the RP id, its handle the account's id.
      const [credential] = await p.tab.credentials();
      expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
      expect(Buffer.from(credential.userHandle ?? '', 'base64').toString()).toBe(p.id);
    });

    it('refuses to register the same authenticator twice (the options exclude its passkey)', async () => {
      const p = await personWithPasskey();
      await expect(p.tab.register(p.access)).rejects.toThrow(/InvalidStateError|registered/i);
      expect((await http().get('/auth/passkeys').set(bearer(p.access))).body).toHaveLength(1);
    });

    it('signs in with the passkey alone, no email typed: a session like a password login', async () => {
      const p = await personWithPasskey();
      const signedIn = await p.tab.signIn();
      expect(signedIn.status).toBe(200);
      expect(signedIn.body).toMatchObject({ token_type: 'Bearer' });
      expect(typeof signedIn.body.refresh_token).toBe('string');
      const me = await http()
        .get('/users/me')
        .set(bearer(accessOf(signedIn)))
        .expect(200);
      expect(me.body).toMatchObject({ id: p.id, email: p.email });
      // Listed with the others; the refresh token works like any other.
      const sessions = await http().get('/auth/sessions').set(bearer(p.access)).expect(200);
      expect(sessions.body).toHaveLength(2);
      await http()
        .post('/auth/refresh')
        .send({ refresh_token: signedIn.body.refresh_token })
        .expect(200);
      const [listed] = (await http().get('/auth/passkeys').set(bearer(p.access))).body as Array<{
        last_used_at: string | null;
      }>;
      expect(listed.last_used_at).not.toBeNull();
    });

    it('signs in after the email is typed; the options tell nothing of the address', async () => {
      const p = await personWithPasskey();
      expect((await p.tab.signIn(p.email)).status).toBe(200);
      const known = await signInOptions({ email: p.email });
      const unknown = await signInOptions({ email: 'nobody-here@example.com' });
      expect(Object.keys(known).sort()).toEqual(Object.keys(unknown).sort());
      expect(known.allowCredentials).toEqual([]);
      expect(unknown.allowCredentials).toEqual([]);
    });

    it("refuses another account's passkey for a typed email, and any for an address without an account", async () => {
      const a = await personWithPasskey();
      const b = await personWithPasskey();
      const forA = await b.tab.assertion(await signInOptions({ email: a.email }));
      const refused = await signInWith(forA).expect(401);
      expect(refused.body).toMatchObject({ code: 'PASSKEY_REFUSED' });
      const forNobody = await b.tab.assertion(await signInOptions({ email: 'no-one@example.com' }));
      expect((await signInWith(forNobody).expect(401)).body).toMatchObject({
        code: 'PASSKEY_REFUSED',
      });
      // B's own sign-in still works: nothing was spent but those challenges.
      expect((await b.tab.signIn(b.email)).status).toBe(200);
    });

    it('refuses a replayed assertion: each challenge is answered once', async () => {
      const p = await personWithPasskey();
      const answer = await p.tab.assertion(await signInOptions());
      await signInWith(answer).expect(200);
      const replayed = await signInWith(answer).expect(400);
      expect(replayed.body).toMatchObject({ code: 'INVALID_PASSKEY_CHALLENGE' });
    });

    it('refuses an assertion for a challenge it never handed out, or handed out for another step', async () => {
      const p = await personWithPasskey();
      const options = await signInOptions();
      const forged = await p.tab.assertion({
        ...options,
        challenge: Buffer.from('a challenge of my own making').toString('base64url'),
      });
      expect((await signInWith(forged).expect(400)).body).toMatchObject({
        code: 'INVALID_PASSKEY_CHALLENGE',
      });
      // A registration challenge answered at sign-in: kept for its own purpose only.
      const registration = await http()
        .post('/auth/passkeys/registration/options')
        .set(bearer(p.access))
        .send({})
        .expect(200);
      const misused = await p.tab.assertion({
        challenge: registration.body.challenge,
        rpId: 'localhost',
        allowCredentials: [],
        userVerification: 'required',
      });
      await signInWith(misused).expect(400);
      // An expired one: the options' challenge, answered after PASSKEY_CHALLENGE_TTL.
      const stale = await p.tab.assertion(await signInOptions());
      await ctx.t.dataSource
        .createQueryBuilder()
        .update(PasskeyChallenge)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .execute();
      await signInWith(stale).expect(400);
    });

    it('refuses an assertion made on another origin', async () => {
      const p = await personWithPasskey();
      // Same RP id, another port: another origin, which PASSKEY_ORIGINS does not list.
      const elsewhere = await tab(`http://localhost:${new URL(ctx.origin).port === '1' ? 2 : 1}`);
      await cloneInto(elsewhere, (await p.tab.credentials())[0]);
      const answer = await elsewhere.assertion(await signInOptions());
      const clientData = JSON.parse(
        Buffer.from(
          (answer.response as { clientDataJSON: string }).clientDataJSON,
          'base64url',
        ).toString(),
      ) as { origin: string };
      expect(clientData.origin).not.toBe(ctx.origin);
      expect((await signInWith(answer).expect(401)).body).toMatchObject({
        code: 'PASSKEY_REFUSED',
      });
    });

    it('refuses a cloned authenticator whose signature counter does not move forward, and audits it', async () => {
      const p = await personWithPasskey();
      const copy = (await p.tab.credentials())[0];
      const clone = await tab();
      await cloneInto(clone, copy);
      // The genuine one signs in: its counter moves past the copy's.
      expect((await p.tab.signIn()).status).toBe(200);
      const warn = jest.spyOn(ctx.t.app.get(AuditLog), 'warn');
      try {
        const answer = await clone.assertion(await signInOptions());
        expect((await signInWith(answer).expect(401)).body).toMatchObject({
          code: 'PASSKEY_REFUSED',
        });
        expect(warn).toHaveBeenCalledWith(
          'passkey.counter_regressed',
          expect.objectContaining({ userId: p.id, passkeyId: p.passkeyId }),
        );
        // Two answers racing with one counter value: the row, not a copy read before, decides.
        const passkeys = ctx.t.app.get(PasskeysService);
        const stale = (await passkeys.findByCredential(base64url(copy.credentialId))) as Passkey;
        expect(await passkeys.recordUse(stale, stale.counter + 1)).toBe(true);
        expect(await passkeys.recordUse(stale, stale.counter + 1)).toBe(false);
        expect(await passkeys.recordUse(stale, 4_000_000_000)).toBe(true);
        expect(await passkeys.findByCredential(base64url(copy.credentialId))).toMatchObject({
          counter: 4_000_000_000,
        });
      } finally {
        warn.mockRestore();
      }
    });

    it('is the second factor of a password login with two-factor on', async () => {
      const p = await personWithPasskey();
      const setup = await http().post('/auth/2fa/setup').set(bearer(p.access)).send({}).expect(201);
      const totp = OTPAuth.URI.parse(setup.body.otpauth_uri as string) as OTPAuth.TOTP;
      await http()
        .post('/auth/2fa/enable')
        .set(bearer(p.access))
        .send({ code: totp.generate() })
        .expect(200);
      const login = await http()
        .post('/auth/login')
        .send({ email: p.email, password: p.password })
        .expect(200);
      expect(login.body).toMatchObject({
        mfa_required: true,
        mfa_methods: ['totp', 'recovery_code', 'passkey'],
      });
      const mfaToken = login.body.mfa_token as string;
      const options = await http()
        .post('/auth/2fa/passkey/options')
        .send({ mfa_token: mfaToken })
        .expect(200);
      // The account's passkeys, by id: the browser needs no discoverable credential here.
      expect(options.body.allowCredentials).toEqual([
        expect.objectContaining({ id: base64url((await p.tab.credentials())[0].credentialId) }),
      ]);
      const answer = await p.tab.assertion(options.body);
      const verified = await http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: mfaToken, passkey: answer })
        .expect(200);
      const secondFactorAccess = verified.body.access_token as string;
      await http().get('/users/me').set(bearer(secondFactorAccess)).expect(200);
      // That session is the passkey's too: removing it ends it, and not the password's.
      await http()
        .delete(`/auth/passkeys/${p.passkeyId}`)
        .set(bearer(p.access))
        .send({})
        .expect(204);
      await http().get('/users/me').set(bearer(secondFactorAccess)).expect(401);
      await http().get('/users/me').set(bearer(p.access)).expect(200);
      // The mfa_token and the challenge went with it.
      await http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: mfaToken, passkey: answer })
        .expect(401);
    });

    it("refuses another account's passkey as the second factor", async () => {
      const a = await personWithPasskey();
      const b = await personWithPasskey();
      const setup = await http().post('/auth/2fa/setup').set(bearer(a.access)).send({}).expect(201);
      const totp = OTPAuth.URI.parse(setup.body.otpauth_uri as string) as OTPAuth.TOTP;
      await http().post('/auth/2fa/enable').set(bearer(a.access)).send({ code: totp.generate() });
      const login = await http().post('/auth/login').send({ email: a.email, password: a.password });
      const mfaToken = login.body.mfa_token as string;
      const options = await http()
        .post('/auth/2fa/passkey/options')
        .send({ mfa_token: mfaToken })
        .expect(200);
      // B's authenticator answers A's challenge with B's discoverable passkey.
      const answer = await b.tab.assertion({ ...options.body, allowCredentials: [] });
      const refused = await http()
        .post('/auth/2fa/verify')
        .send({ mfa_token: mfaToken, passkey: answer })
        .expect(401);
      expect(refused.body).toMatchObject({ code: 'PASSKEY_REFUSED' });
    });

    it('renames, then removes with the password: the sessions it signed in end, the others stay; each change is mailed', async () => {
      const p = await personWithPasskey();
      const byPasskey = await p.tab.signIn();
      const before = ctx.inbox.count();
      const renamed = await http()
        .patch(`/auth/passkeys/${p.passkeyId}`)
        .set(bearer(p.access))
        .send({ name: '  Old phone ' })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: 'Old phone' });
      await mailTo(p.email, before, /passkey was renamed/);

      // The phone is lost: the owner confirms with the password.
      const removedBefore = ctx.inbox.count();
      await http()
        .delete(`/auth/passkeys/${p.passkeyId}`)
        .set(bearer(p.access))
        .send({ current_password: p.password })
        .expect(204);
      await mailTo(p.email, removedBefore, /passkey was removed/);
      const ended = await http()
        .get('/users/me')
        .set(bearer(accessOf(byPasskey)))
        .expect(401);
      expect(ended.body).toMatchObject({ code: 'INVALID_TOKEN' });
      await http()
        .post('/auth/refresh')
        .send({ refresh_token: byPasskey.body.refresh_token })
        .expect(401);
      await http().get('/users/me').set(bearer(p.access)).expect(200);
      expect((await http().get('/auth/passkeys').set(bearer(p.access))).body).toEqual([]);
      // The authenticator still holds the key; the server no longer knows it.
      const answer = await p.tab.assertion(await signInOptions());
      expect((await signInWith(answer).expect(401)).body).toMatchObject({
        code: 'PASSKEY_REFUSED',
      });
    });

    it('refuses a wrong password, and finds no passkey of another account', async () => {
      const p = await personWithPasskey();
      const wrong = await http()
        .post('/auth/passkeys/registration/options')
        .set(bearer(p.access))
        .send({ current_password: 'not the password' })
        .expect(403);
      expect(wrong.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
      const other = await person();
      await http()
        .delete(`/auth/passkeys/${p.passkeyId}`)
        .set(bearer(other.access))
        .send({})
        .expect(404);
      await http()
        .patch(`/auth/passkeys/${p.passkeyId}`)
        .set(bearer(other.access))
        .send({ name: 'mine now' })
        .expect(404);
      expect((await http().get('/auth/passkeys').set(bearer(p.access))).body).toHaveLength(1);
    });

    it("lets an admin list and remove a user's passkeys; the owner is mailed and the passkey's sessions end", async () => {
      const p = await personWithPasskey();
      const byPasskey = await p.tab.signIn();
      const admin = await ctx.t.register({ admin: true });
      const { access: adminAccess } = await ctx.t.login(admin.email, admin.password);
      const listed = await http()
        .get(`/admin/users/${p.id}/passkeys`)
        .set(bearer(adminAccess))
        .expect(200);
      expect(listed.body).toHaveLength(1);
      await http().get(`/admin/users/${p.id}/passkeys`).set(bearer(p.access)).expect(403);
      const before = ctx.inbox.count();
      const removed = await http()
        .delete(`/admin/users/${p.id}/passkeys`)
        .set(bearer(adminAccess))
        .send({})
        .expect(200);
      expect(removed.body).toEqual({ removed: 1 });
      await mailTo(p.email, before, /administrator removed a passkey/);
      await http()
        .get('/users/me')
        .set(bearer(accessOf(byPasskey)))
        .expect(401);
      await http().get('/users/me').set(bearer(p.access)).expect(200);
    });

    it('removes the passkeys added recently with a password reset that removes the second factor', async () => {
      const p = await personWithPasskey();
      const before = ctx.inbox.count();
      await http().post('/auth/password/forgot').send({ email: p.email }).expect(202);
      const token = linkToken(await mailTo(p.email, before, /reset/i));
      await http()
        .post('/auth/password/reset')
        .send({ token, password: `new-${p.password}`, remove_second_factor: true })
        .expect(204);
      await mailTo(p.email, before, /passkey was removed/);
      const { access } = await ctx.t.login(p.email, `new-${p.password}`);
      expect((await http().get('/auth/passkeys').set(bearer(access))).body).toEqual([]);
      const answer = await p.tab.assertion(await signInOptions());
      await signInWith(answer).expect(401);
    });

    it('refuses a sign-in for a disabled account', async () => {
      const p = await personWithPasskey();
      await ctx.t.sql('UPDATE users SET disabled = ? WHERE id = ?', [
        kind === 'postgres' ? true : 1,
        p.id,
      ]);
      const refused = await p.tab.signIn();
      expect(refused).toMatchObject({ status: 403, body: { code: 'ACCOUNT_DISABLED' } });
    });
  });
});

(haveChromium ? describe : describe.skip)(`passkeys with cookie mode (${adapter})`, () => {
  const { ctx, personWithPasskey } = passkeyApp('sqlite', {
    AUTH_COOKIE_MODE: 'true',
    AUTH_COOKIE_SECURE: 'false',
  });

  it('signs in from the page: the refresh token is an httpOnly cookie the page can refresh with', async () => {
    const p = await personWithPasskey();
    const signedIn = await p.tab.signIn();
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.refresh_token).toBeUndefined();
    // Scoped to the auth routes (Path=/auth), on the app's host.
    const cookies = await p.tab.context.cookies(`${ctx.origin}/auth/refresh`);
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'gatehouse_refresh', httpOnly: true }),
    ]);
    const refreshed = await p.tab.post('/auth/refresh', {});
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.access_token).toBe('string');
  });
});

(haveChromium ? describe : describe.skip)(
  `the standalone server's passkeys page (${adapter})`,
  () => {
    const { ctx, tab } = passkeyApp('sqlite');

    it('lets a person add a passkey, sign out, sign in with it alone and remove it', async () => {
      const { email, password } = await ctx.t.register();
      const person = await tab(ctx.origin, '/passkeys');
      const { page } = person;
      const violations: string[] = [];
      page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
      });
      const outcome = page.locator('#outcome');

      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.click('#password-form button[type=submit]');
      await page.locator('#signed-in').waitFor();
      await page.locator('#passkey-list', { hasText: 'No passkey yet.' }).waitFor();

      await page.fill('#name', 'Virtual laptop');
      await page.click('#add-form button[type=submit]');
      await page.locator('#passkey-list li', { hasText: 'Virtual laptop' }).waitFor();
      expect(await outcome.getAttribute('data-state')).toBe('success');
      expect(await person.credentials()).toHaveLength(1);

      await page.click('#sign-out');
      await page.locator('#signed-out').waitFor();
      await page.click('#passkey-sign-in');
      await page.locator('#who', { hasText: `Signed in as ${email}.` }).waitFor();
      expect(await outcome.innerText()).toBe('Signed in with your passkey.');

      await page.click('#passkey-list li button');
      // That session was the passkey's: it ended with it, and the page is signed out.
      await page.locator('#signed-out').waitFor();
      expect(await outcome.innerText()).toMatch(/removed, and so is this session/);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.click('#password-form button[type=submit]');
      await page.locator('#passkey-list', { hasText: 'No passkey yet.' }).waitFor();
      expect(violations).toEqual([]);
    });
  },
);

describe('passkeys when no sign-in counts as recent (REAUTH_MAX_AGE=0)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { REAUTH_MAX_AGE: '0' });
  }, 60_000);
  afterAll(() => t?.close());

  it('asks for the password to add or remove a passkey', async () => {
    const { email, password } = await t.register();
    const { access } = await t.login(email, password);
    const options = await t
      .http()
      .post('/auth/passkeys/registration/options')
      .set(bearer(access))
      .send({})
      .expect(401);
    expect(options.body).toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
    await t
      .http()
      .post('/auth/passkeys/registration/options')
      .set(bearer(access))
      .send({ current_password: password })
      .expect(200);
    const removal = await t
      .http()
      .delete('/auth/passkeys/5f0c6c1e-8a3b-4c1d-9e2f-0a1b2c3d4e5f')
      .set(bearer(access))
      .send({})
      .expect(401);
    expect(removal.body).toMatchObject({ code: 'REAUTHENTICATION_REQUIRED' });
  });
});

describe('passkeys turned off (PASSKEYS=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { PASSKEYS: 'false' });
  }, 60_000);
  afterAll(() => t?.close());

  it('answers every passkey route with 404, and logins offer none', async () => {
    await t.http().post('/auth/passkeys/login/options').send({}).expect(404);
    const { email, password } = await t.register();
    const { access } = await t.login(email, password);
    const off = await t
      .http()
      .post('/auth/passkeys/registration/options')
      .set(bearer(access))
      .send({})
      .expect(404);
    expect(off.body).toMatchObject({ code: 'NOT_FOUND', message: 'Passkeys are off' });
    const setup = await t.http().post('/auth/2fa/setup').set(bearer(access)).send({}).expect(201);
    const totp = OTPAuth.URI.parse(setup.body.otpauth_uri as string) as OTPAuth.TOTP;
    await t
      .http()
      .post('/auth/2fa/enable')
      .set(bearer(access))
      .send({ code: totp.generate() })
      .expect(200);
    const login = await t.http().post('/auth/login').send({ email, password }).expect(200);
    expect(login.body.mfa_methods).toEqual(['totp', 'recovery_code']);
    await t
      .http()
      .post('/auth/2fa/passkey/options')
      .send({ mfa_token: login.body.mfa_token })
      .expect(404);
  });
});
