import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { RevocationReason } from './entities/token.entity';
import { SessionsService } from './sessions.service';
import type { ClientInfo } from '../core/client-info';
import type { Caller } from '../core/auth-user';
import { RevokedCount, SessionResponse } from './dto/session.dto';
import { Reauthentication } from '../users/reauthentication.service';

/** The signed-in user's view of their own sessions. */
@Injectable()
export class AccountSessionsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly reauthentication: Reauthentication,
    private readonly audit: AuditLog,
  ) {}

  async list(caller: Caller): Promise<SessionResponse[]> {
    const live = await this.sessions.listLive(caller.sub);
    return live.map((s) => SessionResponse.from(s, caller.sessionId));
  }

  /**
   * Ends one of the caller's sessions. Another than its own takes the proof of who is asking, as
   * ending the others in bulk does: one by one, a thief could otherwise do the same.
   */
  async revoke(
    caller: Caller,
    sessionId: string,
    password: string | undefined,
    client?: ClientInfo,
  ): Promise<void> {
    if (sessionId !== caller.sessionId)
      await this.reauthentication.confirm(caller, password, client);
    await this.sessions.revoke(caller.sub, sessionId, RevocationReason.Logout);
    this.audit.record('session.revoked', {
      ...client,
      userId: caller.sub,
      sessionId: caller.sessionId,
      revokedSessionId: sessionId,
    });
  }

  /**
   * Ends every session of the caller's, or every other one. Keeping its own while ending the
   * others is what a thief would do to the owner, so that takes the proof of who is asking; ending
   * all of them, its own included, does not (it is how an owner who fears a theft gets out).
   */
  async logoutAll(
    caller: Caller,
    exceptCurrent: boolean,
    password: string | undefined,
    client?: ClientInfo,
  ): Promise<RevokedCount> {
    if (exceptCurrent) await this.reauthentication.confirm(caller, password, client);
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
