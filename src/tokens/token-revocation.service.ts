import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { FindOptionsWhere, Not, Repository } from 'typeorm';
import { RevocationBus } from './cache/revocation-bus';
import type { ClientInfo } from './client-info';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { TokenIntrospectionService } from './token-introspection.service';
import { toTokenState } from './token-state';

/**
 * Revokes tokens. Each revocation is one conditional UPDATE (safe under concurrency: a row flips
 * once), then the rows it flipped are read back by their revocation stamp and announced on the
 * RevocationBus, so every cache drops them, including rows inserted while the UPDATE ran.
 */
@Injectable()
export class TokenRevocationService {
  private readonly logger = new Logger(TokenRevocationService.name);

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly bus: RevocationBus,
    private readonly introspection: TokenIntrospectionService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Revokes one token if it is still live. Returns true only for the caller that flipped it:
   * `UPDATE … WHERE jti = ? AND revoked = false` affects one row at most once.
   */
  async revokeIfLive(jti: string, reason: RevocationReason): Promise<boolean> {
    return (await this.revokeTokens({ jti }, reason)) === 1;
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
    const count = await this.revokeTokens({ familyId }, reason);
    await this.revokeSessions({ id: familyId }, reason);
    return count;
  }

  /** Ends every session of a user, on every device; `exceptSessionId` keeps one alive. */
  async revokeAllForUser(
    userId: string,
    reason: RevocationReason,
    exceptSessionId?: string,
  ): Promise<number> {
    const family = exceptSessionId ? { familyId: Not(exceptSessionId) } : {};
    const count = await this.revokeTokens({ userId, ...family }, reason);
    await this.revokeSessions(
      { userId, ...(exceptSessionId ? { id: Not(exceptSessionId) } : {}) },
      reason,
    );
    return count;
  }

  private async revokeTokens(where: FindOptionsWhere<Token>, reason: RevocationReason) {
    const stamp = new Date();
    const result = await this.tokens.update(
      { ...where, revoked: false },
      { revoked: true, revokedAt: stamp, revokedReason: reason },
    );
    const count = result.affected ?? 0;
    if (count === 0) return 0;
    const flipped = await this.tokens.find({
      where: { ...where, revoked: true, revokedAt: stamp, revokedReason: reason },
      select: {
        jti: true,
        type: true,
        userId: true,
        familyId: true,
        expiresAt: true,
        revoked: true,
      },
    });
    await this.bus.publish(flipped.map((row) => toTokenState(row)));
    this.logger.log(`revoked ${count} token(s): ${reason}`);
    return count;
  }

  private async revokeSessions(where: FindOptionsWhere<Session>, reason: RevocationReason) {
    await this.sessions.update(
      { ...where, revoked: false },
      { revoked: true, revokedAt: new Date(), revokedReason: reason },
    );
  }
}
