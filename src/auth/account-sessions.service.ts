import { Injectable } from '@nestjs/common';
import { RevocationReason } from '../tokens/entities/token.entity';
import { SessionsService } from '../tokens/sessions.service';
import type { AuthUser } from './auth-user';
import { RevokedCount, SessionResponse } from './dto/session.dto';

/** The signed-in user's view of their own sessions. */
@Injectable()
export class AccountSessionsService {
  constructor(private readonly sessions: SessionsService) {}

  async list(caller: AuthUser): Promise<SessionResponse[]> {
    const live = await this.sessions.listLive(caller.id);
    return live.map((s) => SessionResponse.from(s, caller.sessionId));
  }

  revoke(caller: AuthUser, sessionId: string): Promise<void> {
    return this.sessions.revoke(caller.id, sessionId, RevocationReason.Logout);
  }

  async logoutAll(caller: AuthUser, exceptCurrent: boolean): Promise<RevokedCount> {
    const keep = exceptCurrent ? caller.sessionId : undefined;
    return {
      revoked_tokens: await this.sessions.revokeAll(caller.id, RevocationReason.LogoutAll, keep),
    };
  }
}
