import {
  ConfigValidationError,
  EnvironmentVariables,
  NodeEnv,
  durationSeconds,
  envFlag,
  parseEnv,
} from './env.validation';

export interface ThrottleConfig {
  /** THROTTLE_DISABLED=1 turns rate limits and lockouts off (benchmarks only). */
  enabled: boolean;
  /** Requests per window per client address on login, token, refresh and register. */
  perIp: number;
  /** Requests per window per account (email, or the refresh token's user). */
  perAccount: number;
  /**
   * Requests per window per client address that name no account (a reset or verification
   * token, a malformed username): a budget of their own, so they lock no one out of signing in.
   */
  perAnonymous: number;
  windowSeconds: number;
  /** Failed logins in a row before an account is locked. */
  lockoutThreshold: number;
  /** First lock; each further failure doubles it, up to the maximum. */
  lockoutBaseSeconds: number;
  lockoutMaxSeconds: number;
}

/** For a tool that needs this namespace alone (tests): parses `raw` first. */
export function loadThrottleConfig(raw: Record<string, unknown>): ThrottleConfig {
  return throttleConfigFrom(parseEnv(raw));
}

export function throttleConfigFrom(env: EnvironmentVariables): ThrottleConfig {
  const disabled = envFlag(env.THROTTLE_DISABLED, false);
  if (disabled && env.NODE_ENV === NodeEnv.Production) {
    throw new ConfigValidationError([
      'THROTTLE_DISABLED turns rate limits and lockouts off, for benchmarks and tests: not with NODE_ENV=production',
    ]);
  }
  return {
    enabled: !disabled,
    perIp: env.RATE_LIMIT_IP ?? 60,
    perAccount: env.RATE_LIMIT_ACCOUNT ?? 20,
    perAnonymous: env.RATE_LIMIT_ANONYMOUS ?? 30,
    windowSeconds: durationSeconds(env, 'RATE_LIMIT_WINDOW', '1m'),
    lockoutThreshold: env.LOCKOUT_THRESHOLD ?? 5,
    lockoutBaseSeconds: durationSeconds(env, 'LOCKOUT_BASE_DELAY', '30s'),
    lockoutMaxSeconds: durationSeconds(env, 'LOCKOUT_MAX_DELAY', '15m'),
  };
}
