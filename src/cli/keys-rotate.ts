#!/usr/bin/env node
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAuthConfig } from '../config/auth.config';
import { durationToSeconds } from '../config/env.validation';
import { parseKeysVariable, readKeyDir, removeKeyFile, writeKeyFile } from '../keys/key-files';
import { rotate } from '../keys/key-rotation';
import { toStoredKey } from '../keys/signing-key';

const USAGE = `gatehouse-keys-rotate [--activate-in 1h] [--prune] [--print]
(in the Gatehouse repository: npm run keys:rotate -- ...)

Creates the next signing key for JWT_ALGORITHM (EdDSA, ES256 or RS256) in JWT_KEYS_DIR. It is
published in the JWKS at once and signs from --activate-in later (default 1h; 0 = now), so
verifiers caching the JWKS see it first. Old keys stay until every token they signed has expired;
--prune deletes those whose time has passed. With keys in JWT_KEYS instead of files, --print
writes the new value of JWT_KEYS to standard output (it holds private keys: store it as a secret).`;

function main(): void {
  const { values } = parseArgs({
    options: {
      'activate-in': { type: 'string', default: '1h' },
      prune: { type: 'boolean', default: false },
      print: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Variables already set win over `.env`, as in the application that reads the same keys.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const auth = loadAuthConfig();
  if (auth.algorithm === 'HS256') {
    throw new Error(
      'JWT_ALGORITHM is HS256: there is no key pair to rotate (set JWT_ALGORITHM to EdDSA, ES256 or RS256)',
    );
  }
  const fromVariable = auth.keys.variable !== undefined;
  if (fromVariable && !values.print)
    throw new Error('the keys come from JWT_KEYS: add --print and store the printed value');
  const current = fromVariable
    ? parseKeysVariable(auth.keys.variable ?? '')
    : readKeyDir(auth.keys.dir);
  const activateInMs = durationToSeconds(values['activate-in']) * 1000;
  const retentionMs =
    (Math.max(auth.accessTtlSeconds, auth.refreshTtlSeconds) + auth.clockToleranceSeconds) * 1000;
  // With no key at all there is nothing to overlap with: the first key signs at once.
  const result = rotate(current, {
    alg: auth.algorithm,
    activateInMs: current.length === 0 ? 0 : activateInMs,
    retentionMs,
    prune: values.prune,
  });
  const logger = new Logger('keys:rotate');
  if (values.print) {
    process.stdout.write(`${JSON.stringify(result.keys.map(toStoredKey))}\n`);
  } else {
    const file = writeKeyFile(auth.keys.dir, result.added);
    for (const key of result.pruned) removeKeyFile(auth.keys.dir, key.kid);
    logger.log(`wrote ${file}`);
  }
  logger.log(
    `key ${result.added.kid} (${result.added.alg}) signs from ${new Date(result.added.activatesAt).toISOString()}`,
  );
  for (const key of result.pruned)
    logger.log(`pruned key ${key.kid}: every token it signed has expired`);
}

try {
  main();
} catch (error) {
  new Logger('keys:rotate').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
