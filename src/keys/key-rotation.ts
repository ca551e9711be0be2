import { KeySet } from './key-set';
import type { AsymmetricAlgorithm } from './jwt-algorithm';
import { SigningKey, generateSigningKey } from './signing-key';

export interface Rotation {
  added: SigningKey;
  /** Keys whose retention had ended: every token they signed has expired. */
  pruned: SigningKey[];
  /** The key set after the rotation. */
  keys: SigningKey[];
}

export interface Pruning {
  /** Keys whose retention had ended: every token they signed has expired. */
  pruned: SigningKey[];
  /** The key set without them. */
  keys: SigningKey[];
}

/**
 * The next key: it signs from `now + activateInMs`, and is published from now so verifiers that
 * cache the JWKS have it before its first token reaches them. With `prune`, keys no token can
 * still need are dropped as well.
 */
export function rotate(
  current: readonly SigningKey[],
  opts: {
    alg: AsymmetricAlgorithm;
    activateInMs: number;
    retentionMs: number;
    prune: boolean;
    now?: number;
  },
): Rotation {
  const now = opts.now ?? Date.now();
  const added = generateSigningKey(opts.alg, now + opts.activateInMs, now);
  const next = [...current, added];
  const { pruned, keys } = opts.prune
    ? prune(next, { retentionMs: opts.retentionMs, now })
    : { pruned: [], keys: next };
  return { added, pruned, keys };
}

/**
 * Drops the keys no token can still need, and adds none: a key goes once a later one has been
 * signing for `retentionMs` (the longest token lifetime plus the clock leeway). The key that
 * signs now and keys not yet active always stay.
 */
export function prune(
  current: readonly SigningKey[],
  opts: { retentionMs: number; now?: number },
): Pruning {
  const now = opts.now ?? Date.now();
  const pruned = new KeySet(current, opts.retentionMs).expiredKeys(now);
  return { pruned, keys: current.filter((key) => !pruned.includes(key)) };
}
