import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { RevocationReason } from './entities/token.entity';
import { SessionsService } from './sessions.service';
import type { ClientInfo } from '../core/client-info';
import type { Caller } from '../core/auth-user';
import { RevokedCount, SessionResponse } from './dto/session.dto';
import { Reauthentication } from '../users/reauthentication.service';
import { TokenRevocationService } from './token-revocation.service';
import { TokensService } from './tokens.service';

/** The signed-in user's view of their own sessions, and signing out of them. */
@Injectable()
export class AccountSessionsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly revocation: TokenRevocationService,
    private readonly reauthentication: Reauthentication,
    private readonly audit: AuditLog,
  ) {}

  /** Ends the caller's session: its access token and the refresh token of the same family. */
  async logout(caller: Caller, client?: ClientInfo): Promise<void> {
    const revokedTokens = await this.revocation.revokeFamily(
      caller.sessionId,
      RevocationReason.Logout,
    );
    this.audit.record('logout', {
      ...client,
      userId: caller.sub,
      sessionId: caller.sessionId,
      revokedTokens,
    });
  }

  /**
   * Cookie mode's logout, where the refresh cookie is the credential: ends its session. A cookie
   * that is no longer valid ends nothing and is not an error (the session is over either way).
   */
  async logoutWithRefreshToken(refreshToken: string, client?: ClientInfo): Promise<void> {
    const claims = this.tokens.identifyRefreshToken(refreshToken);
    if (!claims) return;
    const revokedTokens = await this.revocation.revokeFamily(claims.sid, RevocationReason.Logout);
    this.audit.record('logout', {
      ...client,
      userId: claims.sub,
      sessionId: claims.sid,
      revokedTokens,
    });
  }

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
