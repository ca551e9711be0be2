import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { LRUCache } from 'lru-cache';
import { TokenClaims } from '../token-claims';

/**
 * Access tokens whose signature and claims were already verified, keyed by the exact token
 * string: a token that differs by one character is a miss and goes through full verification.
 * An entry never outlives the token's `exp`. This skips only the cryptography; the revocation
 * check still runs on every request.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries?: LRUCache<string, TokenClaims>;

  constructor(config: GatehouseConfig) {
    const { verifiedCacheMaxEntries } = config.get('tokens', { infer: true });
    if (verifiedCacheMaxEntries > 0) {
      this.entries = new LRUCache({ max: verifiedCacheMaxEntries, ttlAutopurge: false });
    }
  }

  get(token: string): TokenClaims | undefined {
    return this.entries?.get(token);
  }

  set(token: string, claims: TokenClaims, now = Date.now()): void {
    const ttl = claims.exp * 1000 - now;
    if (this.entries && ttl > 0) this.entries.set(token, claims, { ttl });
  }
}
