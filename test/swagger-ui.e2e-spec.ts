import type { OpenAPIObject } from '@nestjs/swagger';
import { Browser } from 'playwright-core';
import {
  NEWCOMER_TAGS,
  REMOVE,
  SwaggerUi,
  adapter,
  chromiumAvailable,
  clearScreenshots,
  launchChromium,
  listenOnLoopback,
  operationsWithBodies,
  prefilledBody,
} from './support/swagger-ui';
import { TestApp, createTestApp } from './support/test-app';

/**
 * Swagger UI at /docs driven in headless Chromium, as a person would use it: the groups and the
 * Authorize dialog in the order a newcomer needs them, Authorize with the OAuth2 password flow,
 * call GET /users/me, log out through POST /auth/logout, and see the same token refused; then
 * the examples each operation shows, and a Try it out sent as it was filled in. The app is the
 * real AppModule behind configureApp (helmet's CSP and all), listening on a loopback port, on
 * whichever adapter HTTP_ADAPTER names.
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
    clearScreenshots(/^(authorize-dialog|users-me|after-logout|examples)\.png$/);
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

  it('shows the groups in the order a newcomer follows, and Authorize leads with the password flow', async () => {
    await ui.goto(base);
    expect(await ui.tags()).toEqual(NEWCOMER_TAGS);

    await ui.openAuthorizeModal();
    const schemes = await ui.authorizeSchemes();
    expect(schemes[0]).toMatch(/^oauth2 \(OAuth2, password\)/);
    expect(schemes.slice(1).map((heading) => heading.split(/\s/)[0])).toEqual([
      'bearer',
      'introspection-client',
    ]);
    // The dialog opens on the password flow, its username field focused and in sight: not
    // scrolled down to the last box's field, as every box's autofocus would have it.
    await ui.page.locator('input#oauth_username:focus').waitFor();
    const dialog = await ui.page.locator('.modal-ux-content').boundingBox();
    const field = await ui.page.locator('input#oauth_username').boundingBox();
    if (!dialog || !field)
      throw new Error('the Authorize dialog or its username field is not shown');
    expect(field.y).toBeGreaterThanOrEqual(dialog.y);
    expect(field.y + field.height).toBeLessThanOrEqual(dialog.y + dialog.height);
    await ui.screenshot('authorize-dialog.png', ui.page.locator('.modal-ux-content'));
    await ui.closeAuthorizeModal();
  }, 120_000);

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

  it('shows each answer’s own example, and fills Try it out with bodies the routes accept', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body as OpenAPIObject;
    await ui.goto(base);

    // Register's answers: the conflict names EMAIL_TAKEN, the 400 the validation's details.
    const register = ui.operation('post', '/auth/register');
    await ui.openAndTryOut(register);
    expect(await ui.responseExample(register, 409)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'EMAIL_TAKEN',
      message: expect.any(String),
    });
    expect(await ui.responseExample(register, 400)).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining(['email must be an email address']),
    });
    expect(await ui.responseExample(register, 201)).toMatchObject({
      disabled: false,
      emailVerified: false,
      roles: ['user'],
    });
    await ui.screenshot('examples.png', register);

    // The body Try it out fills in is the one test/openapi.e2e-spec.ts sends to every route and
    // sees accepted: checked here for each way a body comes about (the route's examples, the
    // fields' examples, Swagger UI's fillers), so that suite's model of the page holds.
    const checked = [
      '/auth/register',
      '/auth/password',
      '/auth/refresh',
      '/auth/email/verify',
      '/auth/logout-all',
      '/auth/2fa/disable',
      '/auth/2fa/verify',
    ];
    for (const { path, method, content } of operationsWithBodies(document)) {
      if (!checked.includes(path)) continue;
      const op = ui.operation(method, path);
      if (path !== '/auth/register') await ui.openAndTryOut(op);
      expect({ path, body: await ui.shownRequestBody(op) }).toEqual({
        path,
        body: prefilledBody(document, content['application/json']),
      });
      checked.splice(checked.indexOf(path), 1);
    }
    expect(checked).toEqual([]);

    // The two-factor step sent as filled in: refused for its placeholder token, not its shape.
    const verify = ui.operation('post', '/auth/2fa/verify');
    const sent = await ui.execute(verify, 'post', '/auth/2fa/verify');
    expect(JSON.parse(sent.requestBody ?? '')).toEqual({
      mfa_token: expect.any(String),
      code: '123456',
    });
    expect(sent.status).toBe('401');
    expect(JSON.parse(sent.responseBody)).toMatchObject({ code: 'INVALID_MFA_TOKEN' });
  }, 120_000);
});
