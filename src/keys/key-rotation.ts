import { KeySet } from './key-set';
import { AsymmetricAlgorithm, SigningKey, generateSigningKey } from './signing-key';

export interface Rotation {
  added: SigningKey;
  /** Keys whose retention had ended: every token they signed has expired. */
  pruned: SigningKey[];
  /** The key set after the rotation. */
  keys: SigningKey[];
}

/**
 * The next key: it signs from `now + activateInMs`, and is published from now so verifiers that
 * cache the JWKS have it before its first token reaches them. With `prune`, keys no token can
 * still need are dropped.
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
  const set = new KeySet([...current, added], opts.retentionMs);
  const pruned = opts.prune ? set.expiredKeys(now) : [];
  const keys = [...current, added].filter((key) => !pruned.includes(key));
  return { added, pruned, keys };
}
