import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { Session } from './entities/session.entity';
import { RevocationReason } from './entities/token.entity';
import { TokenRevocationService } from './token-revocation.service';

/** A user's sessions: listing and ending them. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly revocation: TokenRevocationService,
  ) {}

  /** Live sessions (not revoked, refresh token not expired), most recently used first. */
  listLive(userId: string, now = new Date()): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revoked: false, expiresAt: MoreThan(now) },
      order: { lastUsedAt: 'DESC', id: 'ASC' },
      take: 500,
    });
  }

  /** Ends one of the user's sessions. Another user's session answers like a missing one. */
  async revoke(userId: string, sessionId: string, reason: RevocationReason): Promise<void> {
    const session = await this.sessions.findOneBy({ id: sessionId, userId, revoked: false });
    if (!session) throw new DomainError(ErrorCode.NotFound, 'Session not found');
    await this.revocation.revokeFamily(session.id, reason);
  }

  /** Ends all the user's sessions, or all but `keepSessionId`; returns how many tokens went. */
  revokeAll(userId: string, reason: RevocationReason, keepSessionId?: string): Promise<number> {
    return this.revocation.revokeAllForUser(userId, reason, keepSessionId);
  }
}
