import { registerAs } from '@nestjs/config';
import { KeyObject } from 'node:crypto';
import { loadAppConfig } from './app.config';
import { durationToSeconds, parseEnv } from './env.validation';
import { resolveJwtKey } from './jwt-secret';

export interface AuthConfig {
  /** Pinned on sign and verify; never taken from a token's header (RFC 8725 §3.1). */
  algorithm: 'HS256';
  key: KeyObject;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Leeway for exp, nbf and iat between servers whose clocks differ a little (RFC 7519 §4.1.4). */
  clockToleranceSeconds: number;
  bcryptCost: number;
}

export function loadAuthConfig(raw: NodeJS.ProcessEnv = process.env): AuthConfig {
  const env = parseEnv(raw);
  const app = loadAppConfig(raw);
  return {
    algorithm: 'HS256',
    key: resolveJwtKey(env.JWT_SECRET, app),
    issuer: env.JWT_ISSUER ?? 'gatehouse',
    audience: env.JWT_AUDIENCE ?? 'gatehouse-api',
    accessTtlSeconds: durationToSeconds(env.JWT_ACCESS_TTL ?? '15m'),
    refreshTtlSeconds: durationToSeconds(env.JWT_REFRESH_TTL ?? '14d'),
    clockToleranceSeconds: durationToSeconds(env.JWT_CLOCK_TOLERANCE ?? '5s'),
    bcryptCost: env.BCRYPT_COST ?? 12,
  };
}

export const authConfig = registerAs('auth', () => loadAuthConfig());
