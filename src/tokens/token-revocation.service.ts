import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, FindOptionsWhere, In, MoreThan, Not, Repository } from 'typeorm';
import { Transactions } from '../database/transactions.service';
import { RevocationBus } from './cache/revocation-bus';
import { RevocationOutbox } from './cache/revocation-outbox';
import type { ClientInfo } from '../core/client-info';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { TokenIntrospectionService } from './token-introspection.service';
import { TokenState, toTokenState } from './token-state';

/**
 * Revokes tokens. Each revocation is one transaction: the session rows, then a conditional UPDATE
 * of their tokens (a row flips once, so counts are exact under concurrency), then the revoked
 * access tokens of the scope are read back and recorded in the outbox. After the commit they are
 * announced on the RevocationBus, so every cache drops them.
 */
@Injectable()
export class TokenRevocationService {
  private readonly logger = new Logger(TokenRevocationService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly outbox: RevocationOutbox,
    private readonly bus: RevocationBus,
    private readonly introspection: TokenIntrospectionService,
    private readonly audit: AuditLog,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
  ) {}

  /**
   * Revokes one token if it is still live. Returns true only for the caller that flipped it:
   * `UPDATE … WHERE jti = ? AND revoked = false` affects one row at most once.
   */
  async revokeIfLive(jti: string, reason: RevocationReason): Promise<boolean> {
    return (await this.revoke({ jti }, undefined, reason)) === 1;
  }

  /**
   * RFC 7009: revokes a token its holder presents. A refresh token ends its whole session
   * (§2.1: tokens of the same grant go with it); an access token goes alone. Anything that is not
   * one of our tokens is ignored, as the RFC asks.
   */
  async revokePresented(token: string, client?: ClientInfo): Promise<void> {
    const claims = this.introspection.identify(token);
    if (!claims) return;
    const revokedTokens =
      claims.typ === TokenType.Refresh
        ? await this.revokeFamily(claims.sid, RevocationReason.Revoked)
        : Number(await this.revokeIfLive(claims.jti, RevocationReason.Revoked));
    this.audit.record('token.revoked', {
      ...client,
      userId: claims.sub,
      sessionId: claims.sid,
      tokenType: claims.typ,
      revokedTokens,
    });
  }

  /** Ends a session: every live token of the family, and the session row. */
  async revokeFamily(familyId: string, reason: RevocationReason): Promise<number> {
    return this.revoke({ familyId }, { id: familyId }, reason);
  }

  /**
   * Ends every session of a user, on every device; `exceptSessionId` keeps one alive. `alongside`
   * runs in the same transaction, after the tokens: the change that made the sessions end (an
   * account disabled, a role removed) commits with their end, or neither does.
   */
  async revokeAllForUser(
    userId: string,
    reason: RevocationReason,
    exceptSessionId?: string,
    alongside?: (manager: EntityManager) => Promise<void>,
  ): Promise<number> {
    return this.revoke(
      { userId, ...(exceptSessionId ? { familyId: Not(exceptSessionId) } : {}) },
      { userId, ...(exceptSessionId ? { id: Not(exceptSessionId) } : {}) },
      reason,
      alongside,
    );
  }

  /** Ends every live session the passkey signed in (its removal), on every device. */
  async revokeSignedInWith(passkeyId: string, reason: RevocationReason): Promise<number> {
    const families = await this.sessions.find({
      where: { passkeyId, revoked: false },
      select: { id: true },
    });
    if (families.length === 0) return 0;
    const ids = In(families.map((session) => session.id));
    return this.revoke({ familyId: ids }, { id: ids }, reason);
  }

  /**
   * Revokes the live tokens (and sessions) in scope; returns how many tokens it flipped. Every
   * revoked, unexpired access token of the scope is announced, those revoked before included: a
   * repeated logout repairs a cache that missed the first one.
   */
  private async revoke(
    tokens: FindOptionsWhere<Token>,
    sessions: FindOptionsWhere<Session> | undefined,
    reason: RevocationReason,
    alongside?: (manager: EntityManager) => Promise<void>,
  ): Promise<number> {
    const now = new Date();
    const stamp = { revoked: true, revokedAt: now, revokedReason: reason };
    let read: TokenState[] = [];
    const { count, announce } = await this.transactions
      .run(async (manager) => {
        // Sessions before their tokens: the order every transaction on a session takes (rotation
        // too), so two of them never hold one lock each while waiting for the other's.
        if (sessions) await manager.update(Session, { ...sessions, revoked: false }, stamp);
        const flipped = await manager.update(Token, { ...tokens, revoked: false }, stamp);
        const revoked = await manager.find(Token, {
          where: { ...tokens, type: TokenType.Access, revoked: true, expiresAt: MoreThan(now) },
          select: {
            jti: true,
            type: true,
            userId: true,
            familyId: true,
            expiresAt: true,
            revoked: true,
          },
        });
        read = revoked.map((row) => toTokenState(row));
        await this.outbox.record(manager, read, now);
        // Last: a rotation holds its session row and then needs the user row (the new tokens'
        // foreign key); taking the user row first here would make the two wait on each other.
        await alongside?.(manager);
        return { count: flipped.affected ?? 0, announce: read };
      })
      .catch((error: unknown) => {
        // A COMMIT that failed may still have committed: this instance forgets what it cached of
        // these tokens, so its next check asks the database (the outbox covers the others).
        this.bus.forget(read);
        throw error;
      });
    await this.bus.publish(announce);
    if (count > 0) this.logger.log(`revoked ${count} token(s): ${reason}`);
    return count;
  }
}
