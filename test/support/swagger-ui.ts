import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Browser, Locator, Page, Response, chromium } from 'playwright-core';
import { ROOT } from './processes';
import type { TestApp } from './test-app';

/**
 * Swagger UI at /docs driven in headless Chromium, as a person would use it: the browser, the
 * page, and the clicks a person makes (open an operation, Try it out, Execute, Authorize).
 */
export const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

/**
 * Whether the browser suites can run. CI installs Debian's chromium (.ci/run): there a missing
 * browser is a broken setup, not a skip, so REQUIRE_SERVICES=1 makes it an error.
 */
export function chromiumAvailable(suite: string): boolean {
  if (!haveChromium && process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`REQUIRE_SERVICES=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
  }
  if (!haveChromium) {
    console.warn(`${suite}: skipped, ${CHROMIUM} not found (apt-get install chromium)`);
  }
  return haveChromium;
}

export const adapter = process.env.HTTP_ADAPTER === 'fastify' ? 'fastify' : 'express';

/** Where the suites leave their screenshots, one folder per adapter. */
export const SHOTS = join(ROOT, 'test-output', 'swagger-ui', adapter);

/**
 * Deletes this suite's screenshots left by an earlier run, so they cannot satisfy this run's
 * checks, and only those: the suites share the folder and may run at the same time.
 */
export function clearScreenshots(ofThisSuite: RegExp): void {
  mkdirSync(SHOTS, { recursive: true });
  for (const file of readdirSync(SHOTS)) {
    if (ofThisSuite.test(file)) rmSync(join(SHOTS, file), { force: true });
  }
}

/** Makes the app listen on a loopback port (Swagger UI needs a real origin) and returns its URL. */
export async function listenOnLoopback(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  const { port } = (t.app.getHttpServer() as unknown as Server).address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * Gatehouse's groups, first in any document applyGatehouseSwagger touches: an account and a
 * token first, what other services use last.
 */
export const GATEHOUSE_TAGS = [
  'auth',
  'account',
  'two-factor',
  'passkeys',
  'sessions',
  'users',
  'admin',
  'keys',
  'oauth2',
];

/**
 * The groups of the standalone server's page, in the order a newcomer follows them: Gatehouse's
 * (an account and a token first, what other services use last), then the app's own.
 */
export const NEWCOMER_TAGS = [...GATEHOUSE_TAGS, 'notes (example)', 'operations'];

// The accessible names (aria-labels) of the Authorize dialog's buttons, shown as Authorize / Logout.
/** The OAuth2 box's Authorize. */
export const APPLY = 'Apply given OAuth2 credentials';
/** The bearer (and any other non-OAuth2) box's Authorize. */
export const APPLY_BEARER = 'Apply credentials';
/** Logout, in either box. */
export const REMOVE = 'Remove authorization';

export interface Executed {
  /** The status and description column Swagger UI shows under the operation. */
  status: string;
  body: string;
  /** Only the "Response body" block as shown ('' when there is none, as with a 204). */
  responseBody: string;
  /** The request body Swagger UI actually sent, if any. */
  requestBody: string | undefined;
  /** The Authorization header Swagger UI actually sent, if any. */
  authorization: string | undefined;
}

/** One page of Swagger UI and the steps a person takes in it. */
export class SwaggerUi {
  /** Refusals a CSP too strict for Swagger UI causes; they show up only in the browser console. */
  readonly cspViolations: string[] = [];

  private constructor(readonly page: Page) {
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) this.cspViolations.push(msg.text());
    });
  }

  static async open(browser: Browser): Promise<SwaggerUi> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    return new SwaggerUi(page);
  }

  async goto(base: string): Promise<void> {
    await this.page.goto(`${base}/docs`);
  }

  /** The operation block for one method and exact path (not /auth/logout-all for /auth/logout). */
  operation(method: string, path: string): Locator {
    return this.page
      .locator(`.opblock.opblock-${method}`)
      .filter({ has: this.page.locator(`.opblock-summary-path[data-path="${path}"]`) });
  }

  async openAndTryOut(op: Locator): Promise<void> {
    await op.locator('.opblock-summary').first().click();
    await op.getByRole('button', { name: 'Try it out' }).click();
  }

  /** Replaces the request body of an operation in Try-it-out mode with `json`, as typed. */
  async fillBody(op: Locator, json: unknown): Promise<void> {
    const text = JSON.stringify(json, null, 2);
    const editor = op.locator('textarea.body-param__text');
    await editor.fill(text);
    expect(await editor.inputValue()).toBe(text);
  }

  /** Clicks Execute and returns what the UI shows once the call has come back. */
  async execute(op: Locator, method: string, path: string): Promise<Executed> {
    const clear = op.locator('button.btn-clear');
    if (await clear.isVisible()) {
      // Otherwise the previous response stays on screen and could be read as this one.
      await clear.click();
      await op.locator('.live-responses-table').waitFor({ state: 'detached' });
    }
    const [response] = await Promise.all([
      this.page.waitForResponse(
        (r) => r.request().method() === method.toUpperCase() && new URL(r.url()).pathname === path,
      ),
      op.locator('button.execute').click(),
    ]);
    const live = op.locator('.live-responses-table .response').first();
    const status = live.locator('.response-col_status');
    await status.filter({ hasText: String(response.status()) }).waitFor();
    const headers = await response.request().allHeaders();
    const description = live.locator('.response-col_description');
    const responseBody = description
      .locator('h5', { hasText: 'Response body' })
      .locator('xpath=following-sibling::*[1]')
      .locator('code');
    return {
      status: (await status.innerText()).trim(),
      body: await description.innerText(),
      responseBody: (await responseBody.count()) > 0 ? await responseBody.innerText() : '',
      requestBody: response.request().postData() ?? undefined,
      authorization: headers.authorization,
    };
  }

  /** The groups of operations as the page shows them, top to bottom. */
  async tags(): Promise<string[]> {
    const tags = this.page.locator('.opblock-tag');
    await tags.first().waitFor();
    return tags.evaluateAll((all) => all.map((tag) => tag.getAttribute('data-tag') ?? ''));
  }

  /**
   * Opens the Authorize dialog and returns its OAuth2 (password flow) box, which must come first:
   * the dialog is taller than the window, and a box lower down is out of sight.
   */
  async openAuthorizeModal(): Promise<Locator> {
    await this.page
      .locator('.auth-wrapper')
      .getByRole('button', { name: 'Authorize', exact: true })
      .click();
    const first = this.page.locator('.modal-ux .auth-container').first();
    // The label, not the input: once authorized the box shows the username as text instead.
    await first.locator('label[for="oauth_username"]').waitFor();
    return first;
  }

  /** The headings of the open Authorize dialog's boxes, top to bottom. */
  authorizeSchemes(): Promise<string[]> {
    return this.page.locator('.modal-ux .auth-container h4').allInnerTexts();
  }

  /** The request body *Try it out* filled in, as JSON (the operation in Try-it-out mode). */
  async shownRequestBody(op: Locator): Promise<unknown> {
    return JSON.parse(await op.locator('textarea.body-param__text').inputValue()) as unknown;
  }

  /** The example the open operation shows for one documented answer (the first, if several). */
  async responseExample(op: Locator, status: number): Promise<unknown> {
    const row = op.locator(`.responses-table .response[data-code="${status}"]`);
    return JSON.parse(await row.locator('.microlight').first().innerText()) as unknown;
  }

  /** The bearer box of the open Authorize dialog. */
  bearerBox(): Locator {
    return this.page
      .locator('.modal-ux .auth-container')
      .filter({ has: this.page.locator('label[for="auth-bearer-value"]') });
  }

  async closeAuthorizeModal(): Promise<void> {
    await this.page.locator('.modal-ux').getByRole('button', { name: 'Close' }).first().click();
    await this.page.locator('.modal-ux').waitFor({ state: 'detached' });
  }

  /**
   * Fills the OAuth2 password flow and clicks its Authorize; returns /auth/token's answer and
   * the box, with the dialog left open for the caller to inspect.
   */
  async authorizeWithPassword(
    username: string,
    password: string,
  ): Promise<{ tokenResponse: Response; oauth: Locator }> {
    const oauth = await this.openAuthorizeModal();
    await oauth.locator('input#oauth_username').fill(username);
    await oauth.locator('input#oauth_password').fill(password);
    const [tokenResponse] = await Promise.all([
      this.page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/token'),
      oauth.getByRole('button', { name: APPLY }).click(),
    ]);
    return { tokenResponse, oauth };
  }

  /** Logout in the OAuth2 box: Swagger UI forgets the token (the server is not told). */
  async logoutOAuth2(): Promise<void> {
    const oauth = await this.openAuthorizeModal();
    await oauth.getByRole('button', { name: REMOVE }).click();
    await oauth.getByRole('button', { name: APPLY }).waitFor();
    await this.closeAuthorizeModal();
  }

  /** Pastes an access token under *bearer* in the Authorize dialog, as the README suggests. */
  async authorizeBearer(token: string): Promise<void> {
    await this.openAuthorizeModal();
    const box = this.bearerBox();
    await box.locator('input#auth-bearer-value').fill(token);
    await box.getByRole('button', { name: APPLY_BEARER, exact: true }).click();
    await box.getByRole('button', { name: REMOVE }).waitFor();
    expect(await box.innerText()).toContain('Authorized');
    await this.closeAuthorizeModal();
  }

  /** Logout in the bearer box: Swagger UI stops sending the pasted token. */
  async logoutBearer(): Promise<void> {
    await this.openAuthorizeModal();
    const box = this.bearerBox();
    await box.getByRole('button', { name: REMOVE }).click();
    await box.getByRole('button', { name: APPLY_BEARER, exact: true }).waitFor();
    await this.closeAuthorizeModal();
  }

  /** The whole page, or only `of` (an operation, the dialog): the page grows long. */
  async screenshot(name: string, of?: Locator): Promise<void> {
    const file = join(SHOTS, name);
    if (of) await of.screenshot({ path: file });
    else await this.page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(0);
  }
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  readOnly?: boolean;
}

export interface Media {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

// What Swagger UI writes where a schema gives nothing (its sampler's fillers).
const FORMAT_FILLERS: Record<string, unknown> = {
  email: 'user@example.com',
  uuid: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
};
const TYPE_FILLERS: Record<string, unknown> = {
  string: 'string',
  number: 0,
  integer: 0,
  boolean: true,
};

function sample(document: OpenAPIObject, given: Schema): unknown {
  const schema = given.$ref
    ? (document.components?.schemas?.[given.$ref.split('/').pop() ?? ''] as Schema)
    : given;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.type === 'array') return schema.items ? [sample(document, schema.items)] : [];
  if (schema.properties || schema.type === 'object') {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {})
        .filter(([, property]) => !property.readOnly)
        .map(([name, property]) => [name, sample(document, property)]),
    );
  }
  return FORMAT_FILLERS[schema.format ?? ''] ?? TYPE_FILLERS[schema.type ?? 'string'];
}

/**
 * The body Swagger UI fills *Try it out* with, for a media type of a request (or the example it
 * shows for a response): the first of its examples, or its example, or one made from the schema
 * (each field's example, default or first enum value, else a filler by type). The browser suite
 * checks this against the page itself.
 */
export function prefilledBody(document: OpenAPIObject, media: Media): unknown {
  const first = Object.values(media.examples ?? {})[0];
  if (first) return first.value;
  if (media.example !== undefined) return media.example;
  return media.schema ? sample(document, media.schema) : undefined;
}

/** Every operation of the document with a request body: its path, method and media types. */
export function operationsWithBodies(
  document: OpenAPIObject,
): Array<{ path: string; method: string; content: Record<string, Media> }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, { requestBody?: { content: Record<string, Media> } }>)
      .filter(([, operation]) => operation.requestBody !== undefined)
      .map(([method, operation]) => ({
        path,
        method,
        content: operation.requestBody?.content ?? {},
      })),
  );
}
