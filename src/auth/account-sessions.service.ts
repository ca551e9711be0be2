import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { RevocationReason } from '../tokens/entities/token.entity';
import { SessionsService } from '../tokens/sessions.service';
import type { ClientInfo } from '../tokens/client-info';
import type { AuthUser } from './auth-user';
import { RevokedCount, SessionResponse } from './dto/session.dto';

/** The signed-in user's view of their own sessions. */
@Injectable()
export class AccountSessionsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
  ) {}

  async list(caller: AuthUser): Promise<SessionResponse[]> {
    const live = await this.sessions.listLive(caller.id);
    return live.map((s) => SessionResponse.from(s, caller.sessionId));
  }

  async revoke(caller: AuthUser, sessionId: string, client?: ClientInfo): Promise<void> {
    await this.sessions.revoke(caller.id, sessionId, RevocationReason.Logout);
    this.audit.record('session.revoked', {
      ...client,
      userId: caller.id,
      sessionId: caller.sessionId,
      revokedSessionId: sessionId,
    });
  }

  async logoutAll(caller: AuthUser, exceptCurrent: boolean, client?: ClientInfo): Promise<RevokedCount> {
    const keep = exceptCurrent ? caller.sessionId : undefined;
    const revokedTokens = await this.sessions.revokeAll(
      caller.id,
      RevocationReason.LogoutAll,
      keep,
    );
    this.audit.record('logout_all', {
      ...client,
      userId: caller.id,
      sessionId: caller.sessionId,
      exceptCurrent,
      revokedTokens,
    });
    return { revoked_tokens: revokedTokens };
  }
}
