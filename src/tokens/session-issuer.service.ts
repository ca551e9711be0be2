import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { ClientInfo } from '../core/client-info';
import type { GatehouseUser } from '../users/user-store';
import { UsersService } from '../users/users.service';
import { TokenPairResponse } from './dto/token-pair.response';
import { RevocationReason } from './entities/token.entity';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSubject, TokensService } from './tokens.service';

/** The passkey a sign-in used, and how to tell it was not removed meanwhile. */
export interface SignedInWithPasskey {
  id: string;
  stillThere: () => Promise<boolean>;
}

/**
 * Opens a session for a person whose sign-in is complete (a password, or a password and a second
 * factor) and keeps it going on refresh: the token pair, the session row and the audit line, and
 * the account's state looked at again once the rows exist.
 */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly revocation: TokenRevocationService,
    private readonly audit: AuditLog,
  ) {}

  async open(
    user: GatehouseUser,
    client: ClientInfo,
    passkey?: SignedInWithPasskey,
  ): Promise<TokenPairResponse> {
    // Chosen here rather than by startSession so that the audit line can name the session.
    const sessionId = randomUUID();
    const pair = await this.tokens.startSession(
      { id: user.id, roles: user.roles, claims: user.claims },
      client,
      sessionId,
      passkey?.id ?? null,
    );
    // Likewise the passkey: removed between its check and the insert, its removal did not see
    // this session. Look again: the session goes with it.
    if (passkey && !(await passkey.stillThere())) {
      await this.revocation.revokeFamily(sessionId, RevocationReason.PasskeyRemoved);
      this.audit.record('login.failure', { ...client, userId: user.id, reason: 'passkey_removed' });
      throw new DomainError(ErrorCode.PasskeyRefused, 'The passkey could not be verified');
    }
    // An admin may have disabled the account between the password check and the insert: its
    // revoke-all ran before our rows existed. Look again, now that they do.
    if (!(await this.activeSubject(user.id))) {
      await this.revocation.revokeAllForUser(user.id, RevocationReason.UserDisabled);
      this.audit.record('login.failure', {
        ...client,
        userId: user.id,
        reason: 'account_disabled',
      });
      throw new DomainError(ErrorCode.AccountDisabled, 'This account is disabled');
    }
    this.audit.record('login.success', {
      ...client,
      userId: user.id,
      sessionId,
      ...(passkey ? { method: 'passkey', passkeyId: passkey.id } : {}),
    });
    return pair;
  }

  /** The next pair of the refresh token's session, for an account still active. */
  refresh(refreshToken: string, client: ClientInfo): Promise<TokenPairResponse> {
    return this.tokens.rotate(refreshToken, (id) => this.activeSubject(id), client);
  }

  private async activeSubject(id: string): Promise<TokenSubject | undefined> {
    const user = await this.users.findById(id);
    return user && !user.disabled
      ? { id: user.id, roles: user.roles, claims: user.claims }
      : undefined;
  }
}
