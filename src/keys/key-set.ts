import { KeyObject } from 'node:crypto';
import { PublishedJwk, SigningKey, publicJwk } from './signing-key';

/**
 * The asymmetric keys at one moment, and the rotation rules over them:
 * - the key that signs is the one that activated last;
 * - a key that has not activated yet is already published, so verifiers can fetch it before the
 *   first token it signs reaches them;
 * - a key replaced by a newer one is still published and accepted for `retentionMs` after it
 *   stopped signing (the longest token lifetime plus the clock leeway), then it is gone.
 */
export class KeySet {
  private readonly keys: readonly SigningKey[];

  constructor(
    keys: readonly SigningKey[],
    private readonly retentionMs: number,
  ) {
    this.keys = [...keys].sort(
      (a, b) => a.activatesAt - b.activatesAt || a.kid.localeCompare(b.kid),
    );
  }

  get size(): number {
    return this.keys.length;
  }

  /** The key that signs at `now`, or undefined when none has activated yet. */
  signingKey(now = Date.now()): SigningKey | undefined {
    let active: SigningKey | undefined;
    for (const key of this.keys) if (key.activatesAt <= now) active = key;
    return active;
  }

  /** The public key for a token's `kid`, while that key is published. */
  verificationKey(kid: string | undefined, now = Date.now()): KeyObject | undefined {
    return this.find(kid, now)?.publicKey;
  }

  /** The key pair named by `kid`, while it is published. */
  find(kid: string | undefined, now = Date.now()): SigningKey | undefined {
    if (kid === undefined) return undefined;
    return this.published(now).find((key) => key.kid === kid);
  }

  /** Keys still published at `now`: pending, signing, and retired within their retention. */
  published(now = Date.now()): SigningKey[] {
    return this.keys.filter((key) => !this.expired(key, now));
  }

  /** Keys whose retention has ended: every token they signed has expired. */
  expiredKeys(now = Date.now()): SigningKey[] {
    return this.keys.filter((key) => this.expired(key, now));
  }

  jwks(now = Date.now()): { keys: PublishedJwk[] } {
    return { keys: this.published(now).map(publicJwk) };
  }

  private expired(key: SigningKey, now: number): boolean {
    const retiredAt = this.retiredAt(key, now);
    return retiredAt !== undefined && retiredAt + this.retentionMs <= now;
  }

  /** When a later key took over from this one, if one has by `now`. */
  private retiredAt(key: SigningKey, now: number): number | undefined {
    const successor = this.keys.find(
      (other) => other.activatesAt > key.activatesAt && other.activatesAt <= now,
    );
    return successor?.activatesAt;
  }
}
