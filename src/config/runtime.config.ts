import { resolve } from 'node:path';
import { NodeEnv, parseEnv, splitList } from './env.validation';

/**
 * The few settings of the process around Gatehouse that its own defaults follow: whether this is
 * production (secrets get no fallback), where generated files live, and where the application
 * answers (the default APP_URL and cookie-mode origins).
 */
export interface RuntimeConfig {
  isProduction: boolean;
  /** Where the generated development secret, the key files and the mail outbox live. */
  dataDir: string;
  port: number;
  corsOrigins: string[];
}

export function loadRuntimeConfig(raw: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const env = parseEnv(raw);
  return {
    isProduction: (env.NODE_ENV ?? NodeEnv.Development) === NodeEnv.Production,
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    port: env.PORT ?? 3000,
    corsOrigins: splitList(env.CORS_ORIGINS),
  };
}
