import type { ParsedMail } from 'mailparser';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Inbox, startInbox } from './support/smtp-inbox';
import { adapter, chromiumAvailable, launchChromium } from './support/swagger-ui';
import { TestApp, createTestApp } from './support/test-app';

/**
 * The links of the account mails, opened in headless Chromium against the standalone server, as
 * the mail's reader would: register (or ask for a reset), take the mail from a real SMTP server,
 * open its link, and see the page do its work through the API. APP_URL is the server itself, as
 * by default. Runs on whichever adapter HTTP_ADAPTER names (CI runs the e2e suites on both).
 */
const haveChromium = chromiumAvailable('mailed-links.e2e-spec');

/** A port nothing listens on a moment ago, for APP_URL to name before the app listens on it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One browser tab, and what it saw: CSP refusals in the console, every request it made. */
interface Tab {
  page: Page;
  cspViolations: string[];
  requests: Array<{ url: string; referer?: string; body?: string }>;
}

(haveChromium ? describe : describe.skip)(
  `mailed links open the server's own pages in headless Chromium (${adapter})`,
  () => {
    let inbox: Inbox;
    let t: TestApp;
    let appUrl: string;
    let browser: Browser;
    let context: BrowserContext;

    beforeAll(async () => {
      inbox = await startInbox();
      const port = await freePort();
      appUrl = `http://127.0.0.1:${port}`;
      t = await createTestApp('sqlite', {
        SMTP_URL: inbox.url,
        APP_URL: appUrl,
        MAIL_RESEND_INTERVAL: '0',
      });
      await t.app.listen(port, '127.0.0.1');
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await inbox?.close();
    }, 30_000);

    beforeEach(async () => {
      context = await browser.newContext();
    });
    afterEach(() => context.close());

    async function openTab(): Promise<Tab> {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const tab: Tab = { page, cspViolations: [], requests: [] };
      page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) tab.cspViolations.push(msg.text());
      });
      page.on('request', (request) => {
        tab.requests.push({
          url: request.url(),
          referer: request.headers().referer,
          body: request.postData() ?? undefined,
        });
      });
      return tab;
    }

    /** The link alone on its line of the text part, checked whole on one line of the raw mail. */
    function linkOf(mail: ParsedMail, path: string): string {
      const pattern = new RegExp(`^${appUrl}/${path}#token=[A-Za-z0-9_-]{43}$`);
      const link = (mail.text ?? '').split('\n').find((line) => pattern.test(line));
      if (!link) throw new Error(`no ${path} link in the mail "${mail.subject}"`);
      expect(inbox.raw(mail).split('\r\n')).toContain(link);
      return link;
    }

    const tokenOf = (link: string) => link.slice(link.indexOf('#token=') + '#token='.length);

    /** Waits until the page shows an outcome in this state, and returns its text. */
    async function shown(tab: Tab, state: 'success' | 'error'): Promise<string> {
      const box = tab.page.locator(`#outcome[data-state="${state}"]`);
      await box.waitFor();
      return box.innerText();
    }

    /** The token reached the server in POST bodies only: never in a URL or a Referer. */
    function expectTokenOnlyInBodies(tab: Tab, token: string): void {
      expect(tab.requests.length).toBeGreaterThan(0);
      for (const request of tab.requests) {
        expect(request.url).not.toContain(token);
        expect(request.referer ?? '').not.toContain(token);
      }
      expect(tab.requests.some((request) => request.body?.includes(token))).toBe(true);
    }

    async function registered(): Promise<{ email: string; password: string; mail: ParsedMail }> {
      const before = inbox.count();
      const { email, password } = await t.register();
      const mail = await inbox.waitFor(email, { after: before, kind: /confirm/i });
      return { email, password, mail };
    }

    const emailVerified = async (email: string, password: string): Promise<boolean> => {
      const { access } = await t.login(email, password);
      const me = await t.http().get('/users/me').set('Authorization', `Bearer ${access}`);
      expect(me.status).toBe(200);
      return (me.body as { emailVerified: boolean }).emailVerified;
    };

    it('verifies the address from the link of the verification mail', async () => {
      const { email, password, mail } = await registered();
      const link = linkOf(mail, 'verify-email');
      expect(await emailVerified(email, password)).toBe(false);

      const tab = await openTab();
      const response = await tab.page.goto(link);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none';/);
      expect(response?.headers()['content-security-policy']).not.toContain('unsafe-inline');
      expect(await shown(tab, 'success')).toMatch(/email address is confirmed/);
      // The token is gone from the address bar and the history entry.
      expect(await tab.page.evaluate<string>('location.href')).toBe(`${appUrl}/verify-email`);
      expectTokenOnlyInBodies(tab, tokenOf(link));
      expect(tab.cspViolations).toEqual([]);

      expect(await emailVerified(email, password)).toBe(true);
    });

    it("shows the API's error for a used or unknown link, and mails a new one from the page", async () => {
      const { email, password, mail } = await registered();
      const link = linkOf(mail, 'verify-email');
      const tab = await openTab();
      await tab.page.goto(link);
      await shown(tab, 'success');

      // The same link again, in the same tab (the browser does not reload the page): spent.
      await tab.page.goto(link);
      const used = await shown(tab, 'error');
      expect(used).toContain('INVALID_ONE_TIME_TOKEN');
      expect(used).toMatch(/invalid|expired|used/i);
      expect(await tab.page.locator('#resend-form').isVisible()).toBe(true);

      // A token the server never issued, of the right shape.
      const forged = await openTab();
      await forged.page.goto(
        `${appUrl}/verify-email#token=${randomBytes(32).toString('base64url')}`,
      );
      expect(await shown(forged, 'error')).toContain('INVALID_ONE_TIME_TOKEN');
      // A link cut short by a mail client: the API's validation message, as it words it.
      const cut = await openTab();
      await cut.page.goto(`${appUrl}/verify-email#token=${tokenOf(link).slice(0, 20)}`);
      const invalid = await shown(cut, 'error');
      expect(invalid).toContain('VALIDATION_FAILED');
      expect(invalid).toContain('token must be the token from the link');
      for (const seen of [tab, forged, cut]) expect(seen.cspViolations).toEqual([]);

      // The page offers a new link; an account not yet verified asks for it there, and uses it.
      const second = await registered();
      const before = inbox.count();
      await forged.page.locator('#resend-form input[type="email"]').fill(second.email);
      await forged.page.locator('#resend-form button[type="submit"]').click();
      expect(await shown(forged, 'success')).toMatch(/mail is on its way/);
      const fresh = await inbox.waitFor(second.email, { after: before, kind: /confirm/i });
      const opened = await openTab();
      await opened.page.goto(linkOf(fresh, 'verify-email'));
      expect(await shown(opened, 'success')).toMatch(/email address is confirmed/);
      expect(await emailVerified(second.email, second.password)).toBe(true);
      expect(await emailVerified(email, password)).toBe(true);
    });

    it('says so when the page is opened without a token', async () => {
      const tab = await openTab();
      await tab.page.goto(`${appUrl}/verify-email`);
      expect(await shown(tab, 'error')).toMatch(/no link token/);
      await tab.page.goto(`${appUrl}/reset-password`);
      expect(await shown(tab, 'error')).toMatch(/no link token/);
      expect(await tab.page.locator('#reset-form').isHidden()).toBe(true);
      expect(await tab.page.locator('#new-link').isVisible()).toBe(true);
    });

    it('resets the password from the mailed link: a refused password keeps the form, old sessions end', async () => {
      const { email, password } = await registered();
      const oldSession = await t.login(email, password);

      // Asked for from the forgot-password page, as the registration-attempt mail suggests.
      const tab = await openTab();
      await tab.page.goto(`${appUrl}/forgot-password`);
      const before = inbox.count();
      await tab.page.locator('#forgot-form input[type="email"]').fill(email);
      await tab.page.locator('#forgot-form button[type="submit"]').click();
      expect(await shown(tab, 'success')).toMatch(/mail is on its way/);
      const mail = await inbox.waitFor(email, { after: before, kind: /reset/i });
      const link = linkOf(mail, 'reset-password');

      await tab.page.goto(link);
      expect(await tab.page.evaluate<string>('location.href')).toBe(`${appUrl}/reset-password`);
      const form = tab.page.locator('#reset-form');
      await form.waitFor();

      // Two different entries never reach the API.
      await form.locator('#password').fill('a brand new passphrase');
      await form.locator('#confirm').fill('another passphrase');
      await form.locator('button[type="submit"]').click();
      expect(await shown(tab, 'error')).toMatch(/passwords differ/);

      // A password the API refuses: its message and details, and the form stays for another try.
      await form.locator('#password').fill('short');
      await form.locator('#confirm').fill('short');
      await form.locator('button[type="submit"]').click();
      const refused = await shown(tab, 'error');
      expect(refused).toContain('VALIDATION_FAILED');
      expect(refused).toMatch(/password must be longer than or equal to 8 characters/);
      expect(await form.isVisible()).toBe(true);

      const newPassword = `new-${randomBytes(8).toString('hex')}`;
      await form.locator('#password').fill(newPassword);
      await form.locator('#confirm').fill(newPassword);
      await form.locator('button[type="submit"]').click();
      expect(await shown(tab, 'success')).toMatch(/password is changed/);
      expect(await form.isHidden()).toBe(true);
      expectTokenOnlyInBodies(tab, tokenOf(link));
      expect(tab.cspViolations).toEqual([]);

      await t.http().post('/auth/login').send({ email, password }).expect(401);
      await t.login(email, newPassword);
      await t.http().post('/auth/refresh').send({ refresh_token: oldSession.refresh }).expect(401);
      await t
        .http()
        .get('/users/me')
        .set('Authorization', `Bearer ${oldSession.access}`)
        .expect(401);

      // The link works once: opened again, the API's refusal, and the way to a new link.
      await tab.page.goto(link);
      await form.waitFor();
      await form.locator('#password').fill(`x-${newPassword}`);
      await form.locator('#confirm').fill(`x-${newPassword}`);
      await form.locator('button[type="submit"]').click();
      expect(await shown(tab, 'error')).toContain('INVALID_ONE_TIME_TOKEN');
      expect(await form.isHidden()).toBe(true);
      expect(await tab.page.locator('#new-link').isVisible()).toBe(true);
      await t.login(email, newPassword);
    });
  },
);

// Not a browser test: whatever the machine, the pages are there, strict, and undocumented.
describe(`the pages the mails link to, as the server serves them (${adapter})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  }, 60_000);
  afterAll(() => t?.close());

  it.each(['verify-email', 'reset-password', 'forgot-password'])(
    'serves /%s with a strict CSP, and no inline script or style',
    async (path) => {
      const res = await t.http().get(`/${path}`).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name, ...values] = d.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      expect(directives.get('default-src')).toBe("'none'");
      expect(directives.get('script-src')).toBe("'self'");
      expect(directives.get('style-src')).toBe("'self'");
      expect(directives.get('connect-src')).toBe("'self'");
      expect(directives.get('form-action')).toBe("'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');

      const html = res.text;
      expect(html).toContain('<script src="pages/account-pages.js" defer></script>');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
      // APP_NAME filled in (the test app keeps the default).
      expect(html).toMatch(/<title>[^<]+ · Gatehouse<\/title>/);
      expect(html).not.toContain('{{');

      const script = await t.http().get('/pages/account-pages.js').expect(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.text).toContain('history.replaceState');
      const css = await t.http().get('/pages/account-pages.css').expect(200);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    },
  );

  it('keeps the pages out of the API documentation', async () => {
    const doc = await t.http().get('/docs-json').expect(200);
    const paths = Object.keys((doc.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain('/auth/email/verify');
    expect(
      paths.filter((p) => /verify-email|reset-password|forgot-password|pages/.test(p)),
    ).toEqual([]);
  });

  it('still answers an unknown path with the JSON 404', async () => {
    const res = await t.http().get('/verify-emails').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });
});
