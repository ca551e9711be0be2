import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { ROOT } from './support/processes';
import { TestApp, createTestApp } from './support/test-app';

/**
 * Swagger UI at /docs driven in headless Chromium, as a person would use it: Authorize with the
 * OAuth2 password flow, call GET /users/me, log out through POST /auth/logout, and see the same
 * token refused. The app is the real AppModule behind configureApp (helmet's CSP and all),
 * listening on a loopback port, on whichever adapter HTTP_ADAPTER names.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
// CI installs Debian's chromium (.ci/run): there a missing browser is a broken setup, not a skip.
if (!haveChromium && process.env.REQUIRE_SERVICES === '1') {
  throw new Error(`REQUIRE_SERVICES=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
}
if (!haveChromium) {
  console.warn(`swagger-ui.e2e-spec: skipped, ${CHROMIUM} not found (apt-get install chromium)`);
}

const adapter = process.env.HTTP_ADAPTER === 'fastify' ? 'fastify' : 'express';
// The accessible names of the OAuth2 box's buttons (their aria-labels), shown as Authorize / Logout.
const APPLY = 'Apply given OAuth2 credentials';
const REMOVE = 'Remove authorization';
const SHOTS = join(ROOT, 'test-output', 'swagger-ui', adapter);

interface Executed {
  /** The status and body Swagger UI shows under the operation. */
  status: string;
  body: string;
  /** The Authorization header Swagger UI actually sent, if any. */
  authorization: string | undefined;
}

(haveChromium ? describe : describe.skip)(`Swagger UI in headless Chromium (${adapter})`, () => {
  // The cases are one user's session in one page, in order: each starts where the last one ended.
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let account: { email: string; password: string };
  const cspViolations: string[] = [];

  beforeAll(async () => {
    // Screenshots left by an earlier run must not satisfy this run's checks.
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    t = await createTestApp('sqlite');
    await t.app.listen(0, '127.0.0.1');
    const { port } = (t.app.getHttpServer() as unknown as Server).address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    account = await t.register();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    // A CSP too strict for Swagger UI shows up only here, as refusals in the browser console.
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, 30_000);

  /** The operation block for one method and exact path (not /auth/logout-all for /auth/logout). */
  const operation = (method: string, path: string): Locator =>
    page
      .locator(`.opblock.opblock-${method}`)
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });

  const openAndTryOut = async (op: Locator) => {
    await op.locator('.opblock-summary').first().click();
    await op.getByRole('button', { name: 'Try it out' }).click();
  };

  /** Clicks Execute and returns what the UI shows once the call has come back. */
  const execute = async (op: Locator, method: string, path: string): Promise<Executed> => {
    const clear = op.locator('button.btn-clear');
    if (await clear.isVisible()) {
      // Otherwise the previous response stays on screen and could be read as this one.
      await clear.click();
      await op.locator('.live-responses-table').waitFor({ state: 'detached' });
    }
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.request().method() === method.toUpperCase() && new URL(r.url()).pathname === path,
      ),
      op.locator('button.execute').click(),
    ]);
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await status.filter({ hasText: String(response.status()) }).waitFor();
    const headers = await response.request().allHeaders();
    return {
      status: (await status.innerText()).trim(),
      body: await op
        .locator('.live-responses-table .response .response-col_description')
        .first()
        .innerText(),
      authorization: headers.authorization,
    };
  };

  const openAuthorizeModal = async () => {
    await page
      .locator('.auth-wrapper')
      .getByRole('button', { name: 'Authorize', exact: true })
      .click();
    return (
      page
        .locator('.modal-ux .auth-container')
        // The label, not the input: once authorized the box shows the username as text instead.
        .filter({ has: page.locator('label[for="oauth_username"]') })
    );
  };

  const screenshot = async (name: string) => {
    const file = join(SHOTS, name);
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(0);
  };

  it('authorizes with the OAuth2 password flow and shows the account from GET /users/me', async () => {
    await page.goto(`${base}/docs`);
    const oauth = await openAuthorizeModal();
    await oauth.locator('input#oauth_username').fill(account.email);
    await oauth.locator('input#oauth_password').fill(account.password);
    const [tokenResponse] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/token'),
      oauth.getByRole('button', { name: APPLY }).click(),
    ]);
    expect(tokenResponse.status()).toBe(200);
    // Swagger UI swaps Authorize for Logout only once it holds a token.
    await oauth.getByRole('button', { name: REMOVE }).waitFor();
    const box = await oauth.innerText();
    expect(box).toContain('Authorized');
    expect(box).toContain(account.email);
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    await oauth.getByRole('button', { name: 'Close' }).click();
    await page.locator('.modal-ux').waitFor({ state: 'detached' });

    const me = operation('get', '/users/me');
    await openAndTryOut(me);
    const result = await execute(me, 'get', '/users/me');
    expect(result.status).toBe('200');
    expect(result.body).toContain(account.email);
    // The token the password flow obtained, not one from anywhere else.
    expect(result.authorization).toBe(`Bearer ${access_token}`);

    await screenshot('users-me.png');
    expect(cspViolations).toEqual([]);
  }, 120_000);

  it('logs out through POST /auth/logout, after which the same token gets 401', async () => {
    const logout = operation('post', '/auth/logout');
    await openAndTryOut(logout);
    const loggedOut = await execute(logout, 'post', '/auth/logout');
    expect(loggedOut.status).toBe('204');

    const me = operation('get', '/users/me');
    const refused = await execute(me, 'get', '/users/me');
    expect(refused.status).toBe('401');
    expect(refused.body).not.toContain(account.email);
    // The UI still sends its token: the refusal is the server's revocation, not the UI forgetting.
    expect(refused.authorization).toMatch(/^Bearer \S+$/);
    const direct = await t
      .http()
      .get('/users/me')
      .set('authorization', refused.authorization ?? '');
    expect(direct.status).toBe(401);

    await screenshot('after-logout.png');
  }, 120_000);

  it('sends no token once Logout is clicked in the Authorize dialog', async () => {
    const oauth = await openAuthorizeModal();
    await oauth.getByRole('button', { name: REMOVE }).click();
    await oauth.getByRole('button', { name: APPLY }).waitFor();
    await oauth.getByRole('button', { name: 'Close' }).click();
    await page.locator('.modal-ux').waitFor({ state: 'detached' });

    const me = operation('get', '/users/me');
    const anonymous = await execute(me, 'get', '/users/me');
    expect(anonymous.authorization).toBeUndefined();
    expect(anonymous.status).toBe('401');
  }, 120_000);
});
