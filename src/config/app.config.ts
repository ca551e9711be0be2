import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { LogLevel, NodeEnv, parseEnv, splitList } from './env.validation';

export interface AppConfig {
  nodeEnv: NodeEnv;
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
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function loadAppConfig(raw: NodeJS.ProcessEnv = process.env): AppConfig {
  const env = parseEnv(raw);
  const nodeEnv = env.NODE_ENV ?? NodeEnv.Development;
  return {
    nodeEnv,
    isProduction: nodeEnv === NodeEnv.Production,
    port: env.PORT ?? 3000,
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    httpAdapter: env.HTTP_ADAPTER ?? 'express',
    bodyLimit: env.BODY_LIMIT ?? '64kb',
    corsOrigins: splitList(env.CORS_ORIGINS),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
