import { parseKeysVariable, readKeyDir } from '../keys/key-files';
import { JWT_ALGORITHMS } from '../keys/jwt-algorithm';
import { mfaKeyProblem, productionMfaKeyProblem } from './account.config';
import { jwtKeysDir } from './auth.config';
import { productionPasskeyProblem } from './passkeys.config';
import { EnvironmentVariables } from './env.validation';
import { productionSecretProblem } from './jwt-secret';
import { RuntimeConfig } from './runtime.config';

/**
 * Every problem with the secrets Gatehouse signs and seals with, all at once: a malformed
 * MFA_ENCRYPTION_KEY anywhere and, in production, which has no fallback for any of them, a
 * missing or weak JWT_SECRET (HS256), no signing key (ES256, RS256), no MFA_ENCRYPTION_KEY, and
 * (not a secret, but as required) no PASSKEY_RP_ID while passkeys are on.
 * Development generates what is missing, at boot, and says so; this only looks.
 */
export function secretProblems(env: EnvironmentVariables, runtime: RuntimeConfig): string[] {
  const problems: (string | undefined)[] = [];
  const algorithm = env.JWT_ALGORITHM ?? 'HS256';
  // An unknown algorithm is the schema's to report; what it would need cannot be said.
  if (runtime.isProduction && JWT_ALGORITHMS.includes(algorithm)) {
    problems.push(
      algorithm === 'HS256'
        ? productionSecretProblem(env.JWT_SECRET)
        : signingKeyProblem(env, runtime, algorithm),
    );
  }
  const mfaKey = env.MFA_ENCRYPTION_KEY;
  problems.push(
    runtime.isProduction
      ? productionMfaKeyProblem(mfaKey)
      : mfaKey !== undefined
        ? mfaKeyProblem(mfaKey)
        : undefined,
  );
  problems.push(productionPasskeyProblem(env, runtime));
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** Production's signing keys: in JWT_KEYS, or files in JWT_KEYS_DIR (`npm run keys:rotate`). */
function signingKeyProblem(
  env: EnvironmentVariables,
  runtime: RuntimeConfig,
  algorithm: string,
): string | undefined {
  const fromVariable = env.JWT_KEYS !== undefined;
  const dir = jwtKeysDir(env, runtime);
  const source = fromVariable ? 'JWT_KEYS' : `JWT_KEYS_DIR (${dir})`;
  try {
    const keys = fromVariable ? parseKeysVariable(env.JWT_KEYS ?? '') : readKeyDir(dir);
    if (keys.length > 0) return undefined;
  } catch (error) {
    // What makes a key unreadable, naming the file or the variable, never the key.
    return (error as Error).message;
  }
  return `JWT_ALGORITHM=${algorithm} needs a signing key in ${source} when NODE_ENV=production; create one with npm run keys:rotate`;
}
