import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import type { Caller } from '../core/auth-user';
import type { ClientInfo } from '../core/client-info';
import { OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { BreachedPasswords } from '../users/breached-passwords';
import { PasswordHasher } from '../users/password-hasher.service';
import { Reauthentication } from '../users/reauthentication.service';
import { UsersService } from '../users/users.service';
import { AccountMails } from './account-mails.service';
import { OneTimeTokensService } from './one-time-tokens.service';

/** A signed-in person changing their own password (a forgotten one: PasswordResetService). */
@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly reauthentication: Reauthentication,
    private readonly breached: BreachedPasswords,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly revocation: TokenRevocationService,
    private readonly oneTime: OneTimeTokensService,
    private readonly mails: AccountMails,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Changes the caller's password after checking the current one, then ends every other session:
   * whoever else held a token under the old password is out.
   */
  async change(caller: Caller, current: string, next: string, client?: ClientInfo): Promise<void> {
    // Always the current password, however recent the sign-in; a wrong one counts as a failed login.
    const user = await this.reauthentication.confirm(caller, current, client);
    await this.breached.assertNotBreached(next);
    await this.users.setPasswordHash(user.id, await this.passwords.hash(next));
    const revokedTokens = await this.revocation.revokeAllForUser(
      user.id,
      RevocationReason.PasswordChanged,
      caller.sessionId,
    );
    // A reset link mailed before would otherwise still set a password of its sender's choice,
    // and a half-done two-factor login rests on the old password.
    await this.oneTime.voidUnspent(user.id, [
      OneTimeTokenPurpose.PasswordReset,
      OneTimeTokenPurpose.MfaLogin,
    ]);
    this.mails.passwordChanged(user.email, client?.ip);
    this.audit.record('password.changed', {
      ...client,
      userId: user.id,
      sessionId: caller.sessionId,
      revokedTokens,
    });
  }
}
