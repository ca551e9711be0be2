import { resolve } from 'node:path';
import { ConfigValidationError } from '../index';
import {
  LogLevel,
  ServerEnvironment,
  durationMs,
  flag,
  parseServerEnv,
  serverEnvironment,
} from './server-env';

export interface AppConfig {
  nodeEnv: NonNullable<ServerEnvironment['NODE_ENV']>;
  isProduction: boolean;
  port: number;
  host: string;
  /** Where the embedded database and the generated development secret live. */
  dataDir: string;
  bootstrapAdmin?: { email: string; password: string };
  /** Express (default) or Fastify: the auth modules work on either. */
  httpAdapter: 'express' | 'fastify';
  /** Largest request body accepted (JSON and form), e.g. `64kb`. */
  bodyLimit: string;
  /** Origins allowed by CORS; empty means CORS stays closed. */
  corsOrigins: string[];
  /**
   * Which proxies to believe about the client address (X-Forwarded-For): `false` (none, the
   * default), a hop count, or addresses/subnets. Rate limits key on that address.
   */
  trustProxy: boolean | number | string;
  /** The least severe level written to the log (`silent`: nothing). */
  logLevel: LogLevel;
  /** The HTTP server's own limits, in milliseconds (see {@link applyServerTimeouts}). */
  httpTimeouts: { requestMs: number; headersMs: number; keepAliveMs: number };
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function loadHttpTimeouts(env: ServerEnvironment): AppConfig['httpTimeouts'] {
  const timeouts = {
    requestMs: durationMs(env, 'HTTP_REQUEST_TIMEOUT', '30s'),
    headersMs: durationMs(env, 'HTTP_HEADERS_TIMEOUT', '10s'),
    keepAliveMs: durationMs(env, 'HTTP_KEEP_ALIVE_TIMEOUT', '5s'),
  };
  // Node refuses a headers timeout longer than the request's, and a zero would mean "none".
  if (
    timeouts.requestMs === 0 ||
    timeouts.headersMs === 0 ||
    timeouts.headersMs > timeouts.requestMs
  ) {
    throw new ConfigValidationError([
      'HTTP_REQUEST_TIMEOUT and HTTP_HEADERS_TIMEOUT must be above 0, the headers one no longer',
    ]);
  }
  return timeouts;
}

/** Where the embedded database and the generated development secret live (DATA_DIR). */
export function dataDirOf(env: ServerEnvironment): string {
  return resolve(env.DATA_DIR ?? 'data');
}

/** For a caller that needs this namespace alone (tests): parses `raw` first. */
export function loadAppConfig(raw: Record<string, unknown> = serverEnvironment()): AppConfig {
  return appConfigFrom(parseServerEnv(raw));
}

export function appConfigFrom(env: ServerEnvironment): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (nodeEnv === 'production' && flag(env.BENCHMARK_ROUTES, false)) {
    throw new ConfigValidationError([
      'BENCHMARK_ROUTES mounts unauthenticated routes for `npm run bench`: not with NODE_ENV=production',
    ]);
  }
  return {
    nodeEnv,
    isProduction: nodeEnv === 'production',
    port: env.PORT ?? 3000,
    host: env.HOST ?? '0.0.0.0',
    dataDir: dataDirOf(env),
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    httpAdapter: env.HTTP_ADAPTER ?? 'express',
    bodyLimit: env.BODY_LIMIT ?? '64kb',
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL ?? 'info',
    httpTimeouts: loadHttpTimeouts(env),
  };
}
