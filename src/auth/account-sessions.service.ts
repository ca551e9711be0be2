import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { RevocationReason } from '../tokens/entities/token.entity';
import { SessionsService } from '../tokens/sessions.service';
import type { ClientInfo } from '../tokens/client-info';
import type { Caller } from './auth-user';
import { RevokedCount, SessionResponse } from './dto/session.dto';

/** The signed-in user's view of their own sessions. */
@Injectable()
export class AccountSessionsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
  ) {}

  async list(caller: Caller): Promise<SessionResponse[]> {
    const live = await this.sessions.listLive(caller.sub);
    return live.map((s) => SessionResponse.from(s, caller.sessionId));
  }

  async revoke(caller: Caller, sessionId: string, client?: ClientInfo): Promise<void> {
    await this.sessions.revoke(caller.sub, sessionId, RevocationReason.Logout);
    this.audit.record('session.revoked', {
      ...client,
      userId: caller.sub,
      sessionId: caller.sessionId,
      revokedSessionId: sessionId,
    });
  }

  async logoutAll(caller: Caller, exceptCurrent: boolean, client?: ClientInfo): Promise<RevokedCount> {
    const keep = exceptCurrent ? caller.sessionId : undefined;
    const revokedTokens = await this.sessions.revokeAll(
      caller.sub,
      RevocationReason.LogoutAll,
      keep,
    );
    this.audit.record('logout_all', {
      ...client,
      userId: caller.sub,
      sessionId: caller.sessionId,
      exceptCurrent,
      revokedTokens,
    });
    return { revoked_tokens: revokedTokens };
  }
}
