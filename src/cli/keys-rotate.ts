#!/usr/bin/env node
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AuthConfig, loadAuthConfig } from '../config/auth.config';
import { parseDuration } from '../config/duration';
import { processEnvironment } from '../config/env.validation';
import { parseKeysVariable, readKeyDir, removeKeyFile, writeKeyFile } from '../keys/key-files';
import { prune, rotate } from '../keys/key-rotation';
import { SigningKey, toStoredKey } from '../keys/signing-key';

const USAGE = `gatehouse-keys-rotate [--activate-in 1h] [--print]
gatehouse-keys-rotate --prune [--print]
(in the Gatehouse repository: npm run keys:rotate -- ...)

Without --prune: creates the next signing key for JWT_ALGORITHM (ES256 or RS256) in
JWT_KEYS_DIR. It is published in the JWKS at once and signs from --activate-in later (default 1h;
0 = now; a bare number is seconds), so verifiers caching the JWKS see it first. Old keys stay
until every token they signed has expired.

With --prune: creates no key; deletes the retired keys whose tokens have all expired (the key
that signs and keys not yet active always stay).

With keys in JWT_KEYS instead of files, --print writes the new value of JWT_KEYS to standard
output (it holds private keys: store it as a secret).`;

const logger = new Logger('keys:rotate');

function main(): void {
  const { values } = parseArgs({
    options: {
      'activate-in': { type: 'string' },
      prune: { type: 'boolean', default: false },
      print: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Refused rather than ignored: pruning adds no key, so there is nothing to activate.
  if (values.prune && values['activate-in'] !== undefined) {
    throw new Error(
      '--prune deletes expired keys and adds none, so --activate-in has nothing to apply to: run keys:rotate without --prune to add a key',
    );
  }
  // Variables already set win over `.env`, as in the application that reads the same keys.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const auth = loadAuthConfig(processEnvironment());
  if (auth.algorithm === 'HS256') {
    throw new Error(
      'JWT_ALGORITHM is HS256: there is no key pair to rotate (set JWT_ALGORITHM to ES256 or RS256)',
    );
  }
  const fromVariable = auth.keys.variable !== undefined;
  if (fromVariable && !values.print)
    throw new Error('the keys come from JWT_KEYS: add --print and store the printed value');
  const current = fromVariable
    ? parseKeysVariable(auth.keys.variable ?? '')
    : readKeyDir(auth.keys.dir);
  // As the application keeps a retired key: the longest token lifetime plus the clock leeway.
  const retentionMs =
    (Math.max(auth.accessTtlSeconds, auth.refreshTtlSeconds) + auth.clockToleranceSeconds) * 1000;

  if (values.prune) {
    const { pruned, keys } = prune(current, { retentionMs });
    save(auth, values.print, keys, { added: undefined, pruned });
    if (pruned.length === 0) logger.log('nothing to prune: tokens of every key may still be alive');
    logger.log('no key added (--prune only deletes; run keys:rotate without it to add one)');
    return;
  }
  const activateInMs = parseDuration(values['activate-in'] ?? '1h', '--activate-in');
  // With no key at all there is nothing to overlap with: the first key signs at once.
  const { added, keys } = rotate(current, {
    alg: auth.algorithm,
    activateInMs: current.length === 0 ? 0 : activateInMs,
    retentionMs,
    prune: false,
  });
  save(auth, values.print, keys, { added, pruned: [] });
  logger.log(
    `key ${added.kid} (${added.alg}) signs from ${new Date(added.activatesAt).toISOString()}`,
  );
}

/** Writes the change: the key set on standard output (--print), or the files it touches. */
function save(
  auth: AuthConfig,
  print: boolean,
  keys: SigningKey[],
  change: { added: SigningKey | undefined; pruned: SigningKey[] },
): void {
  if (print) {
    process.stdout.write(`${JSON.stringify(keys.map(toStoredKey))}\n`);
  } else {
    if (change.added) logger.log(`wrote ${writeKeyFile(auth.keys.dir, change.added)}`);
    for (const key of change.pruned) removeKeyFile(auth.keys.dir, key.kid);
  }
  for (const key of change.pruned)
    logger.log(`pruned key ${key.kid}: every token it signed has expired`);
}

try {
  main();
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
