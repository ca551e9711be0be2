import { PasskeyAccount } from '../passkeys/passkey-account.service';
import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '../users/password-hasher.service';
import { BreachedPasswords } from '../users/breached-passwords';
import { LoginLockoutService, TwoFactorLockoutService } from '../users/login-lockout.service';
import { AuditLog } from '../common/audit/audit-log.service';
import { BackgroundTasks } from '../common/background-tasks.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { AccountConfig } from '../config/account.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import { ClientInfo } from '../core/client-info';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { UsersService } from '../users/users.service';
import { AccountMails } from './account-mails.service';
import { INVALID_LINK } from './email-verification.service';
import { OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { TwoFactorService } from './mfa/two-factor.service';
import { OneTimeTokensService } from './one-time-tokens.service';

/** "Forgot my password": the mailed link, and setting a new password with it. */
@Injectable()
export class PasswordResetService {
  private readonly account: AccountConfig;

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly oneTime: OneTimeTokensService,
    private readonly revocation: TokenRevocationService,
    private readonly lockout: LoginLockoutService,
    private readonly twoFactorLockout: TwoFactorLockoutService,
    private readonly twoFactor: TwoFactorService,
    private readonly breached: BreachedPasswords,
    private readonly mails: AccountMails,
    private readonly tasks: BackgroundTasks,
    private readonly audit: AuditLog,
    private readonly passkeys: PasskeyAccount,
    config: GatehouseConfig,
  ) {
    this.account = config.get('account', { infer: true });
  }

  /**
   * Answers at once and alike for every address: the lookup, the token and the mail happen after
   * the answer, so neither its body nor its timing says whether the address has an account.
   */
  request(email: string, client: ClientInfo): void {
    this.tasks.run('password reset request', async () => {
      const user = await this.users.findByEmail(email);
      if (!user || user.disabled) return;
      const token = await this.oneTime.issue(
        user.id,
        OneTimeTokenPurpose.PasswordReset,
        this.account.resetTtlSeconds,
        { cooldownSeconds: this.account.resendIntervalSeconds },
      );
      if (!token) return;
      this.mails.passwordReset(user.email, token);
      this.audit.record('password.reset_requested', { ...client, userId: user.id });
    });
  }

  /**
   * Sets the new password, then ends every session of the account: whoever held a token (or the
   * old password) is out. The link also proves the address, and voids every other pending link.
   *
   * `removeSecondFactor`: turns two-factor off too, when it was turned on within
   * MFA_RESET_WINDOW, and removes the passkeys added within it. Whoever stole a token could enrol
   * a factor of their own and lock the owner out, or add a passkey and keep signing in; the mails
   * announcing them point here. A factor older than that is the owner's own, and a mailbox alone
   * must not undo it: 409, and the link stays usable (older passkeys simply stay).
   */
  async reset(
    token: string,
    password: string,
    client: ClientInfo,
    removeSecondFactor = false,
  ): Promise<void> {
    // Checked before the (slow) hash, spent after it: a refused hash leaves the link usable.
    const pending = await this.oneTime.peek(token, OneTimeTokenPurpose.PasswordReset);
    if (!pending) throw new DomainError(ErrorCode.InvalidOneTimeToken, INVALID_LINK);
    const factor = removeSecondFactor ? await this.removableFactor(pending.userId) : undefined;
    await this.breached.assertNotBreached(password);
    const passwordHash = await this.passwords.hash(password);
    const spent = await this.oneTime.spend(pending);
    if (!spent) throw new DomainError(ErrorCode.InvalidOneTimeToken, INVALID_LINK);
    const user = await this.users.getById(spent.userId);
    await this.users.setPasswordHash(user.id, passwordHash);
    const revokedTokens = await this.revocation.revokeAllForUser(
      user.id,
      RevocationReason.PasswordReset,
    );
    await this.oneTime.voidUnspent(user.id);
    await this.users.markEmailVerified(user.id);
    await this.lockout.recordSuccess(user.email);
    this.audit.record('password.reset', { ...client, userId: user.id, revokedTokens });
    this.mails.passwordChanged(user.email, client.ip);
    if (factor && (await this.twoFactor.remove(user.id))) {
      await this.twoFactorLockout.recordSuccess(user.id);
      this.audit.warn('mfa.disabled', { ...client, userId: user.id, reason: 'password_reset' });
      this.mails.twoFactorChanged(user.email, false);
    }
    if (removeSecondFactor) {
      await this.passkeys.removeRecent(user, this.account.mfa.resetWindowSeconds * 1000, client);
    }
  }

  /** Whether the account's factor may go with this reset: on, and turned on recently enough. */
  private async removableFactor(userId: string): Promise<boolean> {
    const { enabled, enabledAt } = await this.twoFactor.status(userId);
    if (!enabled || !enabledAt) return false;
    const windowMs = this.account.mfa.resetWindowSeconds * 1000;
    if (Date.now() - enabledAt.getTime() > windowMs) {
      throw new DomainError(
        ErrorCode.TwoFactorNotRemovable,
        'Two-factor was turned on too long ago to be turned off by a password reset; reset without remove_second_factor, or ask an administrator',
      );
    }
    return true;
  }
}
