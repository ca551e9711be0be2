import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { GatehouseConfig } from '../config/gatehouse-config';
import { INVALID_ACCESS_TOKEN } from '../core/access-token';
import type { AuthUser } from '../core/auth-user';
import { TokenStateCache } from './cache/token-state.cache';
import { VerifiedTokenCache } from './cache/verified-token.cache';
import { TokenType } from './entities/token.entity';
import { RevocationCheckService } from './revocation-check.service';
import type { TokenClaims } from './token-claims';
import { TokenSigner } from './token-signer';
import { VerifiedAccessTokensService } from './verified-access-tokens.service';

/** A handshake's token, verified: its caller, and the cache generation its check began in. */
export interface VerifiedConnection {
  caller: AuthUser<string | number>;
  claims: TokenClaims;
  generation: number;
}

/** Why a watched connection ends. */
export type ConnectionEnd = DomainError;

interface Watch {
  claims: TokenClaims;
  end: (why: ConnectionEnd) => void;
  timer?: NodeJS.Timeout;
  /** A check of this token under way: one at a time. */
  checking?: Promise<void>;
  /** News came while a check was under way: it may have read the state from before. */
  again?: boolean;
  /** The one retry pending after the store did not answer. */
  retry?: NodeJS.Timeout;
  /** Checks the store has failed in a row: the retries back off. */
  failures?: number;
}

/** Node fires a longer timer at once; an access token never lives this long anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * How soon a check the store could not answer is tried again: after 1 s, doubling up to 10 s, so
 * a long outage costs the store one query per watched connection every 10 s (news of a revocation
 * checks at once besides), and a connection revoked meanwhile ends within 10 s of its return.
 */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 10_000;

/**
 * Connections that outlive a request (a socket, a GraphQL subscription) and the access token
 * they opened with: verified once at the handshake, then watched, so that each ends as soon as
 * its token is revoked — by a logout, a password change, an admin, on any instance — or expires.
 *
 * A revocation reaches this instance's token-state cache at once (RevocationBus, through Redis
 * from other instances); each watched token it names is checked again against the store, and its
 * connections end if the store refuses it. When the cache regains trust after a time without it
 * (news may have been missed), every watched token is checked again. Messages on the connection
 * are checked by JwtAuthGuard as HTTP requests are: this ends the idle ones too.
 */
@Injectable()
export class LiveSessions implements OnModuleDestroy {
  private readonly logger = new Logger(LiveSessions.name);
  private readonly watches = new Map<string, Set<Watch>>();
  private readonly stopListening: () => void;
  private readonly leewayMs: number;

  constructor(
    private readonly signer: TokenSigner,
    private readonly verified: VerifiedTokenCache,
    private readonly check: RevocationCheckService,
    private readonly callers: VerifiedAccessTokensService,
    private readonly cache: TokenStateCache,
    config: GatehouseConfig,
  ) {
    this.leewayMs = config.get('auth', { infer: true }).clockToleranceSeconds * 1000;
    this.stopListening = cache.listen({
      invalidated: (jtis) => jtis.forEach((jti) => this.recheck(jti)),
      trusted: () => [...this.watches.keys()].forEach((jti) => this.recheck(jti)),
    });
  }

  onModuleDestroy(): void {
    this.stopListening();
    for (const watches of this.watches.values()) {
      for (const watch of watches) {
        clearTimeout(watch.timer);
        clearTimeout(watch.retry);
      }
    }
    this.watches.clear();
  }

  /** How many connections are watched now. */
  get size(): number {
    let count = 0;
    for (const watches of this.watches.values()) count += watches.size;
    return count;
  }

  /**
   * The caller of an access token presented at a handshake, checked as JwtAuthGuard checks a
   * request's: signature and claims, then the store. Throws INVALID_TOKEN otherwise.
   */
  async verify(token: string): Promise<VerifiedConnection> {
    const claims = this.verified.get(token) ?? this.signer.verify(token, TokenType.Access);
    if (!claims) throw this.refused('signature, claims or expiry');
    const generation = this.cache.begin();
    const reason = await this.check.refusal(claims);
    if (reason) throw this.refused(reason);
    this.verified.set(token, claims);
    return { caller: this.callers.callerFrom(claims), claims, generation };
  }

  /**
   * Calls `end` once, when the token of these claims is revoked or expires; returns what stops
   * watching (call it when the connection closes first).
   */
  watch(
    verified: Pick<VerifiedConnection, 'claims' | 'generation'>,
    end: (why: ConnectionEnd) => void,
  ): () => void {
    const { claims } = verified;
    const watch: Watch = { claims, end };
    this.armExpiry(watch);
    let set = this.watches.get(claims.jti);
    if (!set) this.watches.set(claims.jti, (set = new Set()));
    set.add(watch);
    // A revocation told between the handshake's check and now would otherwise go unheard.
    if (verified.generation !== this.cache.begin()) this.checkWatch(watch);
    return () => this.forget(watch);
  }

  /** Ends the watch when its token expires; a timer longer than Node allows is re-armed. */
  private armExpiry(watch: Watch): void {
    const untilExpiry = watch.claims.exp * 1000 + this.leewayMs - Date.now();
    if (untilExpiry > MAX_TIMER_MS) {
      watch.timer = setTimeout(() => this.armExpiry(watch), MAX_TIMER_MS);
    } else {
      watch.timer = setTimeout(
        () =>
          this.finish(watch, new DomainError(ErrorCode.InvalidToken, 'The access token expired')),
        Math.max(0, untilExpiry),
      );
    }
    watch.timer.unref();
  }

  private recheck(jti: string): void {
    for (const watch of this.watches.get(jti) ?? []) this.checkWatch(watch);
  }

  /** One check at a time per watch; news during one makes another follow it. */
  private checkWatch(watch: Watch): void {
    if (watch.checking) {
      watch.again = true;
      return;
    }
    clearTimeout(watch.retry);
    watch.retry = undefined;
    watch.checking = this.checkOnce(watch).finally(() => {
      watch.checking = undefined;
      if (watch.again && this.isWatched(watch)) {
        watch.again = false;
        this.checkWatch(watch);
      }
    });
  }

  private async checkOnce(watch: Watch): Promise<void> {
    watch.again = false;
    try {
      const reason = await this.check.refusal(watch.claims);
      watch.failures = undefined;
      if (reason) this.finish(watch, this.refused(reason, 'The session ended'));
    } catch (error) {
      // The store did not answer: the connection's messages are refused meanwhile (each is
      // checked), and this watch alone is checked again later (checkWatch cleared any retry
      // before this check: one is pending at a time).
      const failures = (watch.failures ?? 0) + 1;
      watch.failures = failures;
      const log = { reason: (error as Error).message, failures };
      if (failures === 1) this.logger.warn(log, 'connection check failed; retrying');
      else this.logger.debug(log, 'connection check failed again; retrying');
      if (!this.isWatched(watch)) return;
      watch.retry = setTimeout(
        () => {
          watch.retry = undefined;
          if (this.isWatched(watch)) this.checkWatch(watch);
        },
        Math.min(RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS),
      );
      watch.retry.unref();
    }
  }

  private isWatched(watch: Watch): boolean {
    return this.watches.get(watch.claims.jti)?.has(watch) ?? false;
  }

  private finish(watch: Watch, why: ConnectionEnd): void {
    if (!this.forget(watch)) return;
    try {
      watch.end(why);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'ending a connection failed');
    }
  }

  /** Stops watching; false if it was not watched (any more). */
  private forget(watch: Watch): boolean {
    clearTimeout(watch.timer);
    clearTimeout(watch.retry);
    const set = this.watches.get(watch.claims.jti);
    if (!set?.delete(watch)) return false;
    if (set.size === 0) this.watches.delete(watch.claims.jti);
    return true;
  }

  private refused(reason: string, message = INVALID_ACCESS_TOKEN): DomainError {
    return new DomainError(ErrorCode.InvalidToken, message, undefined, reason);
  }
}
