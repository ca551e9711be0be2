import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RuntimeConfig, runtimeConfigFrom } from './runtime.config';
import {
  ConfigValidationError,
  EnvironmentVariables,
  durationMs,
  durationSeconds,
  envFlag,
  parseEnv,
  splitList,
} from './env.validation';

export interface MailConfig {
  /** SMTP_URL; without it each mail is written to `outboxDir` as an .eml file. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  /** Attempts per mail before it is given up (and counted as undeliverable). */
  maxAttempts: number;
  /** First retry delay; each further one doubles. */
  retryBaseMs: number;
}

export interface CookieConfig {
  /** AUTH_COOKIE_MODE: the refresh token travels in an httpOnly cookie, not in the body. */
  enabled: boolean;
  name: string;
  /** Off only for local development over plain http. */
  secure: boolean;
  /** Origins allowed to use the cookie endpoints (CSRF defence), e.g. `https://app.example.com`. */
  allowedOrigins: string[];
}

export interface AccountConfig {
  /** Where the application's pages live; mailed links point there. */
  appUrl: string;
  /** Names the service in mails and in authenticator apps. */
  appName: string;
  requireVerifiedEmail: boolean;
  /**
   * AUTH_REGISTRATION_QUIET: registration answers alike whether or not the address has an account
   * (202, and a mail either way), so that it tells no one which addresses are registered.
   */
  quietRegistration: boolean;
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
  /** At most one verification or reset mail per account and purpose in this interval. */
  resendIntervalSeconds: number;
  mfa: {
    /**
     * AES-256-GCM key that encrypts TOTP secrets at rest. Resolved on first use, by the
     * two-factor service as the app boots: the CLIs, which never touch it, do not need it.
     */
    encryptionKey: () => Buffer;
    /** Lifetime of the mfa_token between the password step and the code. */
    tokenTtlSeconds: number;
    /**
     * How long after a second factor is turned on a password reset may turn it off too
     * (MFA_RESET_WINDOW; 0: never): the owner's way out of a factor someone else enrolled.
     */
    resetWindowSeconds: number;
  };
  cookie: CookieConfig;
}

/** For a tool that needs this namespace alone (tests): parses `raw` first. */
export function loadMailConfig(raw: Record<string, unknown>): MailConfig {
  const env = parseEnv(raw);
  return mailConfigFrom(env, runtimeConfigFrom(env));
}

export function mailConfigFrom(env: EnvironmentVariables, app: RuntimeConfig): MailConfig {
  return {
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM ?? `${env.APP_NAME ?? 'Gatehouse'} <no-reply@localhost>`,
    outboxDir: env.MAIL_OUTBOX_DIR ? resolve(env.MAIL_OUTBOX_DIR) : join(app.dataDir, 'outbox'),
    maxAttempts: env.MAIL_MAX_ATTEMPTS ?? 5,
    retryBaseMs: durationMs(env, 'MAIL_RETRY_DELAY', '2s'),
  };
}

/** For a tool that needs this namespace alone (tests): parses `raw` first. */
export function loadAccountConfig(raw: Record<string, unknown>): AccountConfig {
  const env = parseEnv(raw);
  return accountConfigFrom(env, runtimeConfigFrom(env));
}

export function accountConfigFrom(env: EnvironmentVariables, app: RuntimeConfig): AccountConfig {
  // A malformed key is reported at boot by every entry point, the CLIs included.
  if (env.MFA_ENCRYPTION_KEY !== undefined) parseMfaKey(env.MFA_ENCRYPTION_KEY);
  const appUrl = appUrlFrom(env, app);
  const cookieMode = envFlag(env.AUTH_COOKIE_MODE, false);
  // Parsed only in cookie mode: CORS_ORIGINS may hold what CORS accepts but an allow-list of
  // origins cannot, and must not stop a boot that never uses the cookie.
  const allowedOrigins = !cookieMode
    ? []
    : env.AUTH_COOKIE_ORIGINS
      ? splitList(env.AUTH_COOKIE_ORIGINS).map((o) => originOf(o, 'AUTH_COOKIE_ORIGINS'))
      : [...app.corsOrigins.map((o) => originOf(o, 'CORS_ORIGINS')), originOf(appUrl, 'APP_URL')];

  const secure = envFlag(env.AUTH_COOKIE_SECURE, true);
  if (cookieMode && app.isProduction && !secure) {
    throw new ConfigValidationError([
      'AUTH_COOKIE_SECURE=false is for local http development, not production',
    ]);
  }
  // Browsers drop a __Host- cookie whose Path is not /, and a __Secure- one sent without Secure:
  // cookie mode would silently fail. __Host- is out (the cookie is scoped to the auth routes, not
  // /), so the default carries the strongest prefix its attributes allow: __Secure-.
  const cookieName =
    env.AUTH_COOKIE_NAME ?? (secure ? '__Secure-gatehouse_refresh' : 'gatehouse_refresh');
  if (cookieName.startsWith('__Host-')) {
    throw new ConfigValidationError([
      'AUTH_COOKIE_NAME cannot use the __Host- prefix: the cookie is scoped to Path=/auth',
    ]);
  }
  if (cookieMode && cookieName.startsWith('__Secure-') && !secure) {
    throw new ConfigValidationError([
      'AUTH_COOKIE_NAME with the __Secure- prefix needs AUTH_COOKIE_SECURE=true: browsers drop it otherwise',
    ]);
  }
  return {
    appUrl,
    appName: env.APP_NAME ?? 'Gatehouse',
    requireVerifiedEmail: envFlag(env.AUTH_REQUIRE_VERIFIED_EMAIL, false),
    quietRegistration: envFlag(env.AUTH_REGISTRATION_QUIET, false),
    verificationTtlSeconds: durationSeconds(env, 'EMAIL_VERIFICATION_TTL', '24h'),
    resetTtlSeconds: durationSeconds(env, 'PASSWORD_RESET_TTL', '30m'),
    resendIntervalSeconds: durationSeconds(env, 'MAIL_RESEND_INTERVAL', '60s'),
    mfa: {
      encryptionKey: once(() => resolveMfaKey(env.MFA_ENCRYPTION_KEY, app)),
      tokenTtlSeconds: durationSeconds(env, 'MFA_TOKEN_TTL', '5m'),
      resetWindowSeconds: durationSeconds(env, 'MFA_RESET_WINDOW', '7d'),
    },
    cookie: {
      enabled: cookieMode,
      name: cookieName,
      secure,
      allowedOrigins: [...new Set(allowedOrigins)],
    },
  };
}

/** APP_URL without its trailing slashes, or where the server answers in development. */
export function appUrlFrom(env: EnvironmentVariables, app: RuntimeConfig): string {
  return (env.APP_URL ?? `http://localhost:${app.port}`).replace(/\/+$/, '');
}

function once<T>(compute: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: compute() }).v;
}

/**
 * `https://App.example.com/` → `https://app.example.com`: what browsers send in `Origin`. Only
 * http(s) origins: `localhost:3000` would parse as the scheme `localhost:` with the origin
 * `null`, which is what sandboxed frames and file: pages send, and must never be allowed.
 */
function originOf(value: string, variable: string): string {
  const url = httpOrigin(value);
  if (!url) throw new ConfigValidationError([originProblem(value, variable)]);
  return url.origin;
}

/** The URL of an http(s) origin as {@link originOf} takes it, or undefined for anything else. */
export function httpOrigin(value: string): URL | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const http = url.protocol === 'https:' || url.protocol === 'http:';
  return http && url.origin !== 'null' ? url : undefined;
}

/** What a variable listing origins is told when one of them is not. */
export const originProblem = (value: string, variable: string) =>
  `${variable} must list origins such as https://app.example.com (got ${JSON.stringify(value)})`;

const KEY_BYTES = 32;

/** 32 bytes, written as 64 hex digits or as base64 / base64url. */
export function parseMfaKey(value: string): Buffer {
  const text = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text, 'base64url');
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/_=-]+$/.test(text)) {
    throw new ConfigValidationError([
      'MFA_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)',
    ]);
  }
  return key;
}

/** Why production cannot start with this MFA key, or undefined when it can (it has no fallback). */
export function productionMfaKeyProblem(value: string | undefined): string | undefined {
  if (value === undefined) return 'MFA_ENCRYPTION_KEY is required when NODE_ENV=production';
  return mfaKeyProblem(value);
}

/** Why this is not a usable MFA key, or undefined when it is. */
export function mfaKeyProblem(value: string): string | undefined {
  try {
    parseMfaKey(value);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems.join('; ');
    throw error;
  }
}

/** Production has no fallback for the key: the server checks this before Nest starts. */
export function assertProductionMfaKey(value: string | undefined): asserts value is string {
  const problem = productionMfaKeyProblem(value);
  if (problem) throw new ConfigValidationError([problem]);
}

/**
 * The key that encrypts TOTP secrets. Production has no fallback; development generates one into
 * the data directory (and says so), like the JWT secret, so enrolled authenticators survive
 * restarts.
 */
export function resolveMfaKey(
  value: string | undefined,
  opts: { isProduction: boolean; dataDir: string },
  logger = new Logger('MfaKey'),
): Buffer {
  if (value !== undefined) return parseMfaKey(value);
  if (opts.isProduction) assertProductionMfaKey(value);
  const file = join(opts.dataDir, 'mfa-key');
  if (existsSync(file)) return parseMfaKey(readFileSync(file, 'utf8'));
  mkdirSync(opts.dataDir, { recursive: true });
  const generated = randomBytes(KEY_BYTES);
  writeFileSync(file, generated.toString('base64url'), { mode: 0o600 });
  logger.warn(
    `MFA_ENCRYPTION_KEY is not set: generated a development key in ${file}. ` +
      'Set MFA_ENCRYPTION_KEY before running in production.',
  );
  return generated;
}
