import { Browser } from 'playwright-core';
import {
  REMOVE,
  SwaggerUi,
  adapter,
  chromiumAvailable,
  clearScreenshots,
  launchChromium,
  listenOnLoopback,
} from './support/swagger-ui';
import { TestApp, createTestApp } from './support/test-app';

/**
 * Swagger UI at /docs driven in headless Chromium, as a person would use it: Authorize with the
 * OAuth2 password flow, call GET /users/me, log out through POST /auth/logout, and see the same
 * token refused. The app is the real AppModule behind configureApp (helmet's CSP and all),
 * listening on a loopback port, on whichever adapter HTTP_ADAPTER names.
 */
const haveChromium = chromiumAvailable('swagger-ui.e2e-spec');

(haveChromium ? describe : describe.skip)(`Swagger UI in headless Chromium (${adapter})`, () => {
  // The cases are one user's session in one page, in order: each starts where the last one ended.
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let ui: SwaggerUi;
  let account: { email: string; password: string };

  beforeAll(async () => {
    clearScreenshots(/^(users-me|after-logout)\.png$/);
    t = await createTestApp('sqlite');
    base = await listenOnLoopback(t);
    account = await t.register();
    browser = await launchChromium();
    ui = await SwaggerUi.open(browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, 30_000);

  it('authorizes with the OAuth2 password flow and shows the account from GET /users/me', async () => {
    await ui.goto(base);
    const { tokenResponse, oauth } = await ui.authorizeWithPassword(
      account.email,
      account.password,
    );
    expect(tokenResponse.status()).toBe(200);
    // Swagger UI swaps Authorize for Logout only once it holds a token.
    await oauth.getByRole('button', { name: REMOVE }).waitFor();
    const box = await oauth.innerText();
    expect(box).toContain('Authorized');
    expect(box).toContain(account.email);
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    await ui.closeAuthorizeModal();

    const me = ui.operation('get', '/users/me');
    await ui.openAndTryOut(me);
    const result = await ui.execute(me, 'get', '/users/me');
    expect(result.status).toBe('200');
    expect(result.body).toContain(account.email);
    // The token the password flow obtained, not one from anywhere else.
    expect(result.authorization).toBe(`Bearer ${access_token}`);

    await ui.screenshot('users-me.png');
    expect(ui.cspViolations).toEqual([]);
  }, 120_000);

  it('logs out through POST /auth/logout, after which the same token gets 401', async () => {
    const logout = ui.operation('post', '/auth/logout');
    await ui.openAndTryOut(logout);
    const loggedOut = await ui.execute(logout, 'post', '/auth/logout');
    expect(loggedOut.status).toBe('204');

    const me = ui.operation('get', '/users/me');
    const refused = await ui.execute(me, 'get', '/users/me');
    expect(refused.status).toBe('401');
    expect(refused.body).not.toContain(account.email);
    // The UI still sends its token: the refusal is the server's revocation, not the UI forgetting.
    expect(refused.authorization).toMatch(/^Bearer \S+$/);
    const direct = await t
      .http()
      .get('/users/me')
      .set('authorization', refused.authorization ?? '');
    expect(direct.status).toBe(401);

    await ui.screenshot('after-logout.png');
  }, 120_000);

  it('sends no token once Logout is clicked in the Authorize dialog', async () => {
    await ui.logoutOAuth2();

    const me = ui.operation('get', '/users/me');
    const anonymous = await ui.execute(me, 'get', '/users/me');
    expect(anonymous.authorization).toBeUndefined();
    expect(anonymous.status).toBe('401');
  }, 120_000);
});
