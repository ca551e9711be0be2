import { resolve } from 'node:path';
import { EnvironmentVariables, NodeEnv, splitList } from './env.validation';

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

export function runtimeConfigFrom(env: EnvironmentVariables): RuntimeConfig {
  return {
    isProduction: (env.NODE_ENV ?? NodeEnv.Development) === NodeEnv.Production,
    dataDir: resolve(env.DATA_DIR ?? 'data'),
    port: env.PORT ?? 3000,
    corsOrigins: splitList(env.CORS_ORIGINS),
  };
}
