import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * A browser tab on the app's own origin with a virtual authenticator (the DevTools protocol's
 * WebAuthn domain: CTAP2, internal transport, resident keys, user verification), and a small page
 * that drives the WebAuthn API with the server's options as a front end would, through
 * @simplewebauthn/browser. The page is served by the test (Playwright answers its URL), so it
 * needs nothing from the app but its API.
 */
export interface PasskeyTab {
  page: Page;
  context: BrowserContext;
  cdp: CDPSession;
  authenticatorId: string;
  /** What the page's fetch got back. */
  register(access: string, name?: string): Promise<Answered>;
  signIn(email?: string): Promise<Answered>;
  /** The browser's answer to these options, not sent anywhere (the test sends it). */
  assertion(options: unknown): Promise<Record<string, unknown>>;
  attestation(options: unknown): Promise<Record<string, unknown>>;
  /** POST from the page (its Origin, its cookies). */
  post(path: string, body: unknown, access?: string): Promise<Answered>;
  credentials(): Promise<VirtualCredential[]>;
  close(): Promise<void>;
}

export interface Answered {
  status: number;
  body: Record<string, unknown>;
}

/** A credential as the virtual authenticator holds it (CDP WebAuthn.Credential). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** The library's browser bundle (its `unpkg` file: the package exports no subpath). */
const BROWSER_LIBRARY = readFileSync(
  join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist/bundle/index.umd.min.js'),
  'utf8',
);

/** The page: the dozen lines of browser code the README shows, and a way in for the test. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>passkeys</title>
<script src="/__passkey-test/simplewebauthn.js"></script>
<script>
  const { startRegistration, startAuthentication } = SimpleWebAuthnBrowser;
  async function post(path, body, access) {
    const headers = { 'content-type': 'application/json' };
    if (access) headers.authorization = 'Bearer ' + access;
    const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'include' });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  }
  window.passkeys = {
    post,
    async register(access, name) {
      const options = await post('/auth/passkeys/registration/options', {}, access);
      if (options.status !== 200) return options;
      const response = await startRegistration({ optionsJSON: options.body });
      return post('/auth/passkeys/registration', name ? { response, name } : { response }, access);
    },
    async signIn(email) {
      const options = await post('/auth/passkeys/login/options', email ? { email } : {});
      const response = await startAuthentication({ optionsJSON: options.body });
      return post('/auth/passkeys/login', { response });
    },
    assertion: (optionsJSON) => startAuthentication({ optionsJSON }),
    attestation: (optionsJSON) => startRegistration({ optionsJSON }),
  };
</script></head><body>passkeys</body></html>`;

/**
 * Opens the test page at `origin` (the app's, unless a test wants another) in a context of its
 * own, with its own authenticator: one person, one device.
 */
export async function openPasskeyTab(
  browser: Browser,
  origin: string,
  /** A page of the app's to open instead of the test's own (the standalone server's /passkeys). */
  path = '/__passkey-test/page.html',
): Promise<PasskeyTab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.route(`${origin}/__passkey-test/**`, (route) =>
    route.fulfill(
      route.request().url().endsWith('.js')
        ? { contentType: 'text/javascript', body: BROWSER_LIBRARY }
        : { contentType: 'text/html', body: PAGE },
    ),
  );
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  await page.goto(`${origin}${path}`);
  const call = <T>(fn: string, ...args: unknown[]) =>
    page.evaluate(
      ([name, rest]) =>
        (
          globalThis as unknown as { passkeys: Record<string, (...a: unknown[]) => unknown> }
        ).passkeys[name](...rest),
      [fn, args] as const,
    ) as Promise<T>;
  return {
    page,
    context,
    cdp,
    authenticatorId,
    register: (access, name) => call('register', access, name),
    signIn: (email) => call('signIn', email),
    assertion: (options) => call('assertion', options),
    attestation: (options) => call('attestation', options),
    post: (path, body, access) => call('post', path, body, access),
    credentials: async () =>
      (
        (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as {
          credentials: VirtualCredential[];
        }
      ).credentials,
    close: () => context.close(),
  };
}

/** Puts a copy of a credential into another tab's authenticator: a cloned key. */
export async function cloneInto(tab: PasskeyTab, credential: VirtualCredential): Promise<void> {
  await tab.cdp.send('WebAuthn.addCredential', {
    authenticatorId: tab.authenticatorId,
    credential,
  });
}

/** CDP writes binary fields in standard base64; the WebAuthn JSON in base64url. */
export const base64url = (base64: string) => Buffer.from(base64, 'base64').toString('base64url');
