import * as OTPAuth from 'otpauth';
import type { ParsedMail } from 'mailparser';
import { randomBytes } from 'node:crypto';
import { Browser } from 'playwright-core';
import { Inbox, linkToken, startInbox } from './support/smtp-inbox';
import {
  APPLY,
  NEWCOMER_TAGS,
  REMOVE,
  SwaggerUi,
  adapter,
  chromiumAvailable,
  clearScreenshots,
  launchChromium,
  listenOnLoopback,
} from './support/swagger-ui';
import { TestApp, createTestApp, uniqueEmail } from './support/test-app';

/**
 * The account lifecycle as a new user would try it in Swagger UI at /docs, in headless Chromium:
 * register, find the verification mail, verify, turn on two-factor with an authenticator app,
 * log out, log in again with the code, forget the password, reset it, and see every old session
 * refused. Each of the user's calls goes through Try it out or the Authorize dialog, whose first
 * box is the OAuth2 password flow's (direct requests only confirm what the UI showed); mails come
 * from a real SMTP server, codes from an independent TOTP library fed the otpauth URI the UI
 * shows.
 */
const APP_URL = 'https://app.example.test';
const haveChromium = chromiumAvailable('swagger-ui-lifecycle.e2e-spec');

const tokenOf = (mail: ParsedMail): string => {
  const token = linkToken(mail);
  if (!token) throw new Error(`no token in the mail "${mail.subject}"`);
  return token;
};

/** The JSON of a response body as Swagger UI shows it. */
const shown = <T>(result: { responseBody: string }): T => JSON.parse(result.responseBody) as T;

interface Pair {
  access_token: string;
  refresh_token: string;
}

(haveChromium ? describe : describe.skip)(
  `Swagger UI: a new user's account lifecycle in headless Chromium (${adapter})`,
  () => {
    let inbox: Inbox;
    let t: TestApp;
    let base: string;
    let browser: Browser;
    let ui: SwaggerUi;

    beforeAll(async () => {
      clearScreenshots(/^lifecycle-.*\.png$/);
      inbox = await startInbox();
      t = await createTestApp('sqlite', {
        SMTP_URL: inbox.url,
        APP_URL,
        MAIL_RESEND_INTERVAL: '0',
      });
      base = await listenOnLoopback(t);
      browser = await launchChromium();
      ui = await SwaggerUi.open(browser);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await inbox?.close();
    }, 30_000);

    it('registers, verifies, turns on 2FA, logs in with a code, resets the password, and sees every old session refused', async () => {
      const email = uniqueEmail();
      const password = `first-${randomBytes(8).toString('hex')}`;
      const newPassword = `second-${randomBytes(8).toString('hex')}`;
      await ui.goto(base);
      // The groups come in the order this walk takes them: auth, account, two-factor, users…
      expect(await ui.tags()).toEqual(NEWCOMER_TAGS);

      // Register, and find the verification mail.
      let before = inbox.count();
      const register = ui.operation('post', '/auth/register');
      await ui.openAndTryOut(register);
      await ui.fillBody(register, { email, password });
      const registered = await ui.execute(register, 'post', '/auth/register');
      expect(registered.status).toBe('201');
      expect(JSON.parse(registered.requestBody ?? '')).toEqual({ email, password });
      expect(shown(registered)).toMatchObject({ email, emailVerified: false });
      const verification = await inbox.waitFor(email, { after: before, kind: /confirm/i });
      expect(verification.text).toContain(`${APP_URL}/verify-email#token=`);

      // Verify the address with the mailed token.
      const verify = ui.operation('post', '/auth/email/verify');
      await ui.openAndTryOut(verify);
      await ui.fillBody(verify, { token: tokenOf(verification) });
      expect((await ui.execute(verify, 'post', '/auth/email/verify')).status).toBe('204');
      await ui.screenshot('lifecycle-verified.png', verify);

      // Authorize with the OAuth2 password flow; GET /users/me now says the address is verified.
      const first = await ui.authorizeWithPassword(email, password);
      expect(first.tokenResponse.status()).toBe(200);
      await first.oauth.getByRole('button', { name: REMOVE }).waitFor();
      const oauthSession = (await first.tokenResponse.json()) as Pair;
      await ui.closeAuthorizeModal();
      const me = ui.operation('get', '/users/me');
      await ui.openAndTryOut(me);
      const verified = await ui.execute(me, 'get', '/users/me');
      expect(verified.status).toBe('200');
      expect(verified.authorization).toBe(`Bearer ${oauthSession.access_token}`);
      expect(shown(verified)).toMatchObject({ email, emailVerified: true });

      // Two-factor setup: the secret, its otpauth URI and a QR code, all in the response shown.
      const setup = ui.operation('post', '/auth/2fa/setup');
      await ui.openAndTryOut(setup);
      const setupResult = await ui.execute(setup, 'post', '/auth/2fa/setup');
      expect(setupResult.status).toBe('201');
      const secret = shown<{ secret: string; otpauth_uri: string; qr_code: string }>(setupResult);
      expect(secret.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
      expect(secret.qr_code).toMatch(/^data:image\/png;base64,/);
      const png = Buffer.from(secret.qr_code.split(',')[1], 'base64');
      expect(png.subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );
      // The authenticator app: the URI as the user would scan it, codes from otpauth.
      const totp = OTPAuth.URI.parse(secret.otpauth_uri);
      if (!(totp instanceof OTPAuth.TOTP)) throw new Error('not a TOTP URI');
      expect(totp.label).toBe(email);
      expect(totp.issuer).toBe('Gatehouse');
      expect(totp.secret.base32).toBe(secret.secret);
      await ui.screenshot('lifecycle-2fa-setup.png', setup);

      // Enable with the code the app shows now: ten recovery codes, and a notice mail.
      before = inbox.count();
      const enable = ui.operation('post', '/auth/2fa/enable');
      await ui.openAndTryOut(enable);
      await ui.fillBody(enable, { code: totp.generate() });
      const enabled = await ui.execute(enable, 'post', '/auth/2fa/enable');
      expect(enabled.status).toBe('200');
      const { recovery_codes } = shown<{ recovery_codes: string[] }>(enabled);
      expect(recovery_codes).toHaveLength(10);
      expect(new Set(recovery_codes).size).toBe(10);
      await inbox.waitFor(email, { after: before, kind: /two-factor/i });

      // Log out in the Authorize dialog; the password flow alone no longer gets a token.
      await ui.logoutOAuth2();
      const second = await ui.authorizeWithPassword(email, password);
      expect(second.tokenResponse.status()).toBe(403);
      const refusedGrant = (await second.tokenResponse.json()) as Record<string, unknown>;
      expect(refusedGrant).toMatchObject({ error: 'mfa_required', mfa_token: expect.any(String) });
      expect(refusedGrant).not.toHaveProperty('access_token');
      await second.oauth.getByRole('button', { name: APPLY }).waitFor();
      expect(await second.oauth.getByRole('button', { name: REMOVE }).count()).toBe(0);
      // The dialog shows the error and its description (never the mfa_token), and holds no token.
      const dialog = await second.oauth.innerText();
      expect(dialog).not.toContain('Authorized');
      expect(dialog).toMatch(/Auth Error[\s\S]*mfa_required[\s\S]*\/auth\/2fa\/verify/);
      expect(dialog).not.toContain(String(refusedGrant.mfa_token));
      await ui.screenshot('lifecycle-mfa-required.png', ui.page.locator('.modal-ux-content'));
      await ui.closeAuthorizeModal();

      // The two steps in Try it out: the password answers a challenge, the next code the pair.
      const login = ui.operation('post', '/auth/login');
      await ui.openAndTryOut(login);
      await ui.fillBody(login, { email, password });
      const challenged = await ui.execute(login, 'post', '/auth/login');
      expect(challenged.status).toBe('200');
      const challenge = shown<{ mfa_required: boolean; mfa_token: string }>(challenged);
      expect(challenge).toMatchObject({ mfa_required: true, mfa_token: expect.any(String) });
      expect(challenge).not.toHaveProperty('access_token');
      const verify2fa = ui.operation('post', '/auth/2fa/verify');
      await ui.openAndTryOut(verify2fa);
      // The enable code may be the current step's, and a step is accepted once: take the next.
      const code = totp.generate({ timestamp: Date.now() + 30_000 });
      await ui.fillBody(verify2fa, { mfa_token: challenge.mfa_token, code });
      const passed = await ui.execute(verify2fa, 'post', '/auth/2fa/verify');
      expect(passed.status).toBe('200');
      const pair = shown<Pair>(passed);
      expect(pair).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });

      // Paste the access token under bearer in Authorize; GET /users/me sends it and answers.
      await ui.authorizeBearer(pair.access_token);
      const mine = await ui.execute(me, 'get', '/users/me');
      expect(mine.status).toBe('200');
      expect(mine.authorization).toBe(`Bearer ${pair.access_token}`);
      expect(shown(mine)).toMatchObject({ email, emailVerified: true });
      await ui.screenshot('lifecycle-bearer-me.png', me);
      // Logout in the Authorize dialog only made Swagger UI forget the first token: the server
      // still accepts it, so the reset below has a second live session to end.
      await t
        .http()
        .get('/users/me')
        .auth(oauthSession.access_token, { type: 'bearer' })
        .expect(200);

      // Forgot the password: a reset mail; the reset with its token answers 204.
      before = inbox.count();
      const forgot = ui.operation('post', '/auth/password/forgot');
      await ui.openAndTryOut(forgot);
      await ui.fillBody(forgot, { email });
      const accepted = await ui.execute(forgot, 'post', '/auth/password/forgot');
      expect(accepted.status).toBe('202');
      expect(shown(accepted)).toEqual({ message: expect.any(String) });
      const resetMail = await inbox.waitFor(email, { after: before, kind: /reset/i });
      expect(resetMail.text).toContain(`${APP_URL}/reset-password#token=`);
      before = inbox.count();
      const reset = ui.operation('post', '/auth/password/reset');
      await ui.openAndTryOut(reset);
      await ui.fillBody(reset, { token: tokenOf(resetMail), password: newPassword });
      expect((await ui.execute(reset, 'post', '/auth/password/reset')).status).toBe('204');
      await inbox.waitFor(email, { after: before, kind: /password was changed/i });

      // Every old session is refused: the token Swagger UI still sends, and the forgotten one.
      const refused = await ui.execute(me, 'get', '/users/me');
      expect(refused.status).toBe('401');
      expect(refused.authorization).toBe(`Bearer ${pair.access_token}`);
      expect(refused.body).not.toContain(email);
      await ui.screenshot('lifecycle-old-session-refused.png', me);
      for (const session of [pair, oauthSession]) {
        await t.http().get('/users/me').auth(session.access_token, { type: 'bearer' }).expect(401);
        await t
          .http()
          .post('/auth/refresh')
          .send({ refresh_token: session.refresh_token })
          .expect(401);
      }
      // The new password works, and still asks for the second factor; the old one does not.
      await t.http().post('/auth/login').send({ email, password }).expect(401);
      const again = await t
        .http()
        .post('/auth/login')
        .send({ email, password: newPassword })
        .expect(200);
      expect(again.body).toMatchObject({ mfa_required: true });

      // Logout of bearer in the Authorize dialog: Swagger UI sends no token any more.
      await ui.logoutBearer();
      const anonymous = await ui.execute(me, 'get', '/users/me');
      expect(anonymous.authorization).toBeUndefined();
      expect(anonymous.status).toBe('401');
      expect(ui.cspViolations).toEqual([]);
    }, 120_000);
  },
);
