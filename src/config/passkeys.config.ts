import { isIP } from 'node:net';
import {
  ConfigValidationError,
  EnvironmentVariables,
  durationSeconds,
  envFlag,
  parseEnv,
  splitList,
} from './env.validation';
import { appUrlFrom, httpOrigin, originProblem } from './account.config';
import { RuntimeConfig, runtimeConfigFrom } from './runtime.config';

/** Passkeys (WebAuthn): who the relying party is, and which pages may use its credentials. */
export interface PasskeysConfig {
  /** PASSKEYS (default true): off, every passkey route answers 404 and logins never offer one. */
  enabled: boolean;
  /**
   * PASSKEY_RP_ID: the domain the credentials are bound to (`example.com`). A passkey made for
   * one RP id never works for another, so it is chosen once: production has no default.
   */
  rpId: string;
  /** PASSKEY_RP_NAME (default APP_NAME): what the browser's prompt names. */
  rpName: string;
  /**
   * PASSKEY_ORIGINS: the pages allowed to use them, as browsers send them in clientDataJSON
   * (`https://app.example.com`). Default: APP_URL's origin.
   */
  origins: string[];
  /** PASSKEY_CHALLENGE_TTL: how long a challenge the server handed out may be answered. */
  challengeTtlSeconds: number;
  /**
   * What the boot log warns of: why they are off though nothing said so (development on an IP
   * address), or a development origin over plain http off localhost.
   */
  warnings: string[];
}

/** The configuration of the passkeys, checked whole: every problem named at once. */
export function passkeysConfigFrom(
  env: EnvironmentVariables,
  app: RuntimeConfig,
  appUrl: string,
): PasskeysConfig {
  let enabled = envFlag(env.PASSKEYS, true);
  const problems: string[] = [];
  const appHost = new URL(appUrl).hostname;
  const rpId = (env.PASSKEY_RP_ID ?? (app.isProduction ? '' : appHost)).trim().toLowerCase();
  // By default APP_URL's origin, where the application's pages are; if that is not on the RP
  // id (APP_URL left at its development default), the RP id's own https origin.
  const appOrigin = new URL(appUrl).origin;
  const origins = env.PASSKEY_ORIGINS
    ? splitList(env.PASSKEY_ORIGINS)
    : [isOn(appHost, rpId) ? appOrigin : `https://${rpId}`];
  const challengeTtlSeconds = durationSeconds(env, 'PASSKEY_CHALLENGE_TTL', '5m');
  const warnings: string[] = [];
  if (enabled) {
    problems.push(...rpIdProblems(rpId, app.isProduction));
    // Origins are judged against a sound RP id only: a missing one would fault every origin.
    for (const origin of problems.length === 0 ? origins : []) {
      const problem = passkeyOriginProblem(origin, rpId, app.isProduction);
      if (problem) problems.push(problem);
      else if (plainHttpOffLocalhost(origin)) {
        warnings.push(
          `PASSKEY_ORIGINS: ${new URL(origin).origin} is plain http: browsers offer passkeys there only when told to treat it as secure (Chromium's --unsafely-treat-insecure-origin-as-secure); production requires https`,
        );
      }
    }
  }
  // Development with nothing said of passkeys, whose APP_URL gives no usable RP id (an IP
  // address): they are off and the boot says why, rather than a default stopping a boot that
  // never asked for them. What was set is checked, always.
  const unasked =
    env.PASSKEYS === undefined &&
    env.PASSKEY_RP_ID === undefined &&
    env.PASSKEY_ORIGINS === undefined;
  if (problems.length > 0 && unasked && !app.isProduction) {
    enabled = false;
    warnings.length = 0;
    warnings.push(
      `passkeys are off: APP_URL (${appOrigin}) gives no usable RP id (${problems.join('; ')}); set PASSKEY_RP_ID (localhost in development), or PASSKEYS=false`,
    );
    problems.length = 0;
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return {
    enabled,
    rpId,
    rpName: env.PASSKEY_RP_NAME ?? env.APP_NAME ?? 'Gatehouse',
    // Off, the origins are not checked (nor used): none.
    origins: enabled ? [...new Set(origins.map((origin) => new URL(origin).origin))] : [],
    challengeTtlSeconds,
    warnings,
  };
}

const RP_ID_REQUIRED =
  'PASSKEY_RP_ID is required when NODE_ENV=production (the domain passkeys are bound to, e.g. example.com), or set PASSKEYS=false';

/**
 * What production must be given for passkeys, reported with the missing secrets (in one error
 * with them) rather than after they are fixed.
 */
export function productionPasskeyProblem(
  env: EnvironmentVariables,
  runtime: RuntimeConfig,
): string | undefined {
  const missing = runtime.isProduction && envFlag(env.PASSKEYS, true) && !env.PASSKEY_RP_ID?.trim();
  return missing ? RP_ID_REQUIRED : undefined;
}

const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** The host is the RP id or a subdomain of it (WebAuthn §5.1.3). */
const isOn = (host: string, rpId: string) => host === rpId || host.endsWith(`.${rpId}`);
const isLocalhost = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/**
 * A registrable domain, as WebAuthn requires (§5.1.3: an IP address is not a valid RP id). In
 * production not `localhost`: passkeys made there would be bound to every developer's machine,
 * and none would work on the real site.
 */
function rpIdProblems(rpId: string, isProduction: boolean): string[] {
  if (rpId === '') return [RP_ID_REQUIRED];
  if (isIP(rpId) !== 0 || !DOMAIN.test(rpId)) {
    return [
      `PASSKEY_RP_ID must be a domain such as example.com, not an IP address or a URL (got ${JSON.stringify(rpId)})`,
    ];
  }
  if (isProduction && isLocalhost(rpId)) {
    return ['PASSKEY_RP_ID cannot be localhost when NODE_ENV=production'];
  }
  return [];
}

/**
 * An origin the browser reports for a page of the RP: its host is the RP id or under it
 * (WebAuthn §13.4.9), and in production it is https (browsers offer WebAuthn only in secure
 * contexts; plain http works for localhost alone). Development may name a plain http page, with
 * a warning: a browser told to treat it as secure can use it.
 */
function passkeyOriginProblem(
  value: string,
  rpId: string,
  isProduction: boolean,
): string | undefined {
  const url = httpOrigin(value);
  if (!url) return originProblem(value, 'PASSKEY_ORIGINS');
  const host = url.hostname;
  if (!isOn(host, rpId)) {
    return `PASSKEY_ORIGINS: ${url.origin} is not on PASSKEY_RP_ID ${rpId} or a subdomain of it`;
  }
  if (url.protocol === 'http:' && isProduction) {
    return `PASSKEY_ORIGINS: ${url.origin} must be https when NODE_ENV=production (browsers offer passkeys over plain http on localhost only)`;
  }
  return undefined;
}

const plainHttpOffLocalhost = (origin: string) => {
  const url = new URL(origin);
  return url.protocol === 'http:' && !isLocalhost(url.hostname);
};

/** For a tool that needs this namespace alone (tests): parses `raw` first. */
export function loadPasskeysConfig(raw: Record<string, unknown>): PasskeysConfig {
  const env = parseEnv(raw);
  const runtime = runtimeConfigFrom(env);
  return passkeysConfigFrom(env, runtime, appUrlFrom(env, runtime));
}
