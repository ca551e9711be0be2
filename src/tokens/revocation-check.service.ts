import { Inject, Injectable, Optional } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { SharedTokenStateStore } from './cache/shared-token-state.store';
import { TokenStateCache } from './cache/token-state.cache';
import { Token, TokenType } from './entities/token.entity';
import { SessionActivityService } from './session-activity.service';
import { TokenClaims } from './token-claims';
import { TokenState, toTokenState } from './token-state';
import { USER_STORE } from '../users/user-store';
import type { UserStore } from '../users/user-store';
import { INVALID_ACCESS_TOKEN } from '../core/access-token';

/**
 * The per-request half of revocation. A bearer token whose signature and claims are valid is still
 * refused unless its `jti` names a stored token that is an access token of the same user and
 * session, not revoked and not expired.
 *
 * Where an access token's state comes from, first hit wins:
 * 1. the in-process cache (TokenStateCache): no I/O. Entries live REVOCATION_CACHE_TTL (60 s by
 *    default) at most and never past the token's expiry; a revocation removes them at once on
 *    this instance, and through Redis on every other one;
 * 2. Redis, when REDIS_URL is set (SharedTokenStateStore);
 * 3. the database, by primary key: the source of truth.
 * Refresh tokens (introspection) are always read from the database: nothing caches them.
 *
 * 1 and 2 are read only while RevocationBus trusts them. How long a revocation can take to be
 * seen: on the instance that revoked, the next request. With Redis, on every other instance,
 * milliseconds (pub/sub), and never more than 2 × REVOCATION_SYNC_INTERVAL whatever fails
 * (RevocationBus says why). Several instances without Redis: up to REVOCATION_CACHE_TTL on the
 * others. A cache failure never lets a token through: it reads as a miss, and the database
 * answers.
 */
@Injectable()
export class RevocationCheckService {
  /** The same leeway TokenSigner gives `exp`, so instances with slightly different clocks agree. */
  private readonly leewayMs: number;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly cache: TokenStateCache,
    private readonly shared: SharedTokenStateStore,
    private readonly activity: SessionActivityService,
    config: GatehouseConfig,
    // Absent only where no token is ever checked (the cleanup CLI); then no account counts as active.
    @Optional() @Inject(USER_STORE) private readonly users?: UserStore,
  ) {
    this.leewayMs = config.get('auth', { infer: true }).clockToleranceSeconds * 1000;
  }

  async assertActive(claims: TokenClaims, now = Date.now()): Promise<void> {
    const reason = await this.refusal(claims, now);
    if (reason) {
      throw new DomainError(ErrorCode.InvalidToken, INVALID_ACCESS_TOKEN, undefined, reason);
    }
    this.activity.touch(claims.sid, now);
  }

  /**
   * The hot path: true when the in-process cache alone shows the token live (its session's
   * activity is recorded too); false when it cannot tell, and the full check must run.
   */
  isLiveInCache(claims: TokenClaims, now = Date.now()): boolean {
    const state = this.cache.get(claims.jti);
    if (!state || this.refusalOf(claims, state, now)) return false;
    this.activity.touch(claims.sid, now);
    return true;
  }

  /**
   * Why the store refuses a token with these (verified) claims, or undefined if it is live: the
   * row must exist, match the token's type, user and session, be neither revoked nor expired, and
   * belong to an enabled account.
   */
  async refusal(claims: TokenClaims, now = Date.now()): Promise<string | undefined> {
    const state =
      claims.typ === TokenType.Access ? await this.lookup(claims.jti) : await this.read(claims.jti);
    return this.refusalOf(claims, state, now);
  }

  private refusalOf(claims: TokenClaims, state: TokenState | undefined, now: number) {
    if (!state) return 'unknown jti';
    if (state.revoked) return 'revoked';
    if (state.userDisabled) return 'user disabled';
    if (state.expiresAt + this.leewayMs <= now) return 'expired';
    if (state.type !== claims.typ || state.userId !== claims.sub || state.familyId !== claims.sid) {
      return 'claims do not match the stored token';
    }
    return undefined;
  }

  /** The stored state of an access token (cached), or undefined when no such token exists. */
  async lookup(jti: string): Promise<TokenState | undefined> {
    const cached = this.cache.get(jti);
    if (cached) return cached;
    const generation = this.cache.begin();
    const epoch = this.cache.epoch;
    let state = this.cache.isTrusted() ? await this.shared.get(jti) : undefined;
    // Trust may have been withdrawn, or lapsed, while Redis answered: then its answer is not used.
    if (state && (epoch !== this.cache.epoch || !this.cache.isTrusted())) state = undefined;
    if (!state) {
      state = await this.read(jti);
      if (!state) return undefined;
      if (state.type === TokenType.Access) this.shared.fill(state);
    }
    if (state.type === TokenType.Access) this.cache.set(state, generation);
    return state;
  }

  /**
   * The state as the database has it, by primary key, with whether the account is disabled (or
   * gone) as the UserStore says: two lookups, once per token and instance, then cached.
   */
  private async read(jti: string): Promise<TokenState | undefined> {
    const row = await this.tokens.findOne({
      select: {
        jti: true,
        type: true,
        userId: true,
        familyId: true,
        revoked: true,
        expiresAt: true,
      },
      where: { jti },
    });
    if (!row) return undefined;
    const user = await this.users?.findById(row.userId);
    return toTokenState(row, !user || user.disabled);
  }
}
