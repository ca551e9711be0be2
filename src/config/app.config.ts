import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { NodeEnv, parseEnv } from './env.validation';

export interface AppConfig {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  host: string;
  /** Where the embedded database and the generated development secret live. */
  dataDir: string;
  bootstrapAdmin?: { email: string; password: string };
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
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
