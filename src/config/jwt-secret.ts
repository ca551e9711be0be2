import { Logger } from '@nestjs/common';
import { KeyObject, createSecretKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError } from './env.validation';

/** RFC 7518 §3.2: an HS256 key must have at least as many bits as the hash output. */
export const MIN_SECRET_BYTES = 32;

const PLACEHOLDER =
  /change[-_ .]?me|replace[-_ .]?me|placeholder|your[-_ .]?(jwt[-_ .]?)?secret|^secret$|^(.)\2+$|example/i;

/** Why a secret is unfit for production, or undefined when it is fine. */
export function secretWeakness(secret: string): string | undefined {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    return `JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes`;
  }
  if (PLACEHOLDER.test(secret)) return 'JWT_SECRET is a placeholder value';
  return undefined;
}

/** Why production cannot start with this secret, or undefined when it can (it has no fallback). */
export function productionSecretProblem(secret: string | undefined): string | undefined {
  return secret === undefined
    ? 'JWT_SECRET is required when NODE_ENV=production'
    : secretWeakness(secret);
}

/** Production has no fallback: a missing, short or placeholder secret is a configuration error. */
export function assertProductionSecret(secret: string | undefined): asserts secret is string {
  const problem = productionSecretProblem(secret);
  if (problem) throw new ConfigValidationError([problem]);
}

/**
 * The HMAC key for HS256, as a KeyObject made once: HMAC then costs no key parsing per token.
 *
 * Production never falls back: a missing, short or placeholder secret stops the boot. Development
 * may run without one; a random secret is then generated once and kept in the data directory so
 * tokens survive restarts.
 */
export function resolveJwtKey(
  secret: string | undefined,
  opts: { isProduction: boolean; dataDir: string },
  logger = new Logger('JwtSecret'),
): KeyObject {
  if (opts.isProduction) assertProductionSecret(secret);
  if (secret !== undefined) {
    const weakness = secretWeakness(secret);
    if (weakness) logger.warn(`${weakness}; accepted outside production only`);
    return createSecretKey(Buffer.from(secret, 'utf8'));
  }
  const file = join(opts.dataDir, 'jwt-secret');
  if (existsSync(file)) {
    return createSecretKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url'));
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const generated = randomBytes(48);
  writeFileSync(file, generated.toString('base64url'), { mode: 0o600 });
  logger.warn(
    `JWT_SECRET is not set: generated a development secret in ${file}. ` +
      'Set JWT_SECRET before running in production.',
  );
  return createSecretKey(generated);
}
