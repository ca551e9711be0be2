import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode, ReauthenticationRequired } from '../common/errors/domain-error';
import { GatehouseConfig } from '../config/gatehouse-config';
import type { ClientInfo } from '../core/client-info';
import type { GatehouseUser } from './user-store';
import { UsersService } from './users.service';
import type { Caller } from '../core/auth-user';
import { PasswordHasher } from './password-hasher.service';
import { LoginLockoutService } from './login-lockout.service';

/**
 * Proof of the person, not just of a live token (ASVS 5.0 V7.5.1), before anything that changes
 * how the account signs in: the password, the second factor, the other sessions. A stolen access
 * token must not be enough to take the account over.
 *
 * The proof is the current password in the request, or a sign-in (the password, and the second
 * factor where it is on) within REAUTH_MAX_AGE: the token's `auth_time`, which refresh does not
 * renew. A wrong password counts as a failed login does: the account's growing lockout (429 with
 * Retry-After), and an audited failure.
 */
@Injectable()
export class Reauthentication {
  private readonly maxAgeSeconds: number;

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly lockout: LoginLockoutService,
    private readonly audit: AuditLog,
    config: GatehouseConfig,
  ) {
    this.maxAgeSeconds = config.get('auth', { infer: true }).reauthMaxAgeSeconds;
  }

  /**
   * The caller's account, once the caller has proved it is them: by `password` when one is given
   * (then only by it), else by a recent enough sign-in.
   */
  async confirm(
    caller: Caller,
    password: string | undefined,
    client?: ClientInfo,
  ): Promise<GatehouseUser> {
    const user = await this.users.getById(caller.sub);
    if (password !== undefined) {
      await this.checkPassword(user, password, caller, client);
    } else if (!this.recentlySignedIn(caller)) {
      throw new ReauthenticationRequired(this.maxAgeSeconds);
    }
    return user;
  }

  private recentlySignedIn(caller: Caller, now = Date.now()): boolean {
    if (caller.authTime === undefined || this.maxAgeSeconds <= 0) return false;
    return now / 1000 - caller.authTime <= this.maxAgeSeconds;
  }

  private async checkPassword(
    user: GatehouseUser,
    password: string,
    caller: Caller,
    client?: ClientInfo,
  ): Promise<void> {
    const failed = { ...client, userId: user.id, sessionId: caller.sessionId };
    try {
      await this.lockout.begin(user.email);
    } catch (error) {
      this.audit.warn('reauth.failure', { ...failed, reason: 'locked' });
      throw error;
    }
    const ok = await this.lockout.check(user.email, () =>
      this.passwords.verify(password, user.passwordHash),
    );
    if (!ok) {
      await this.lockout.fail(user.email);
      this.audit.warn('reauth.failure', { ...failed, reason: 'invalid_credentials' });
      throw new DomainError(ErrorCode.WrongCurrentPassword, 'The current password is wrong');
    }
    await this.lockout.recordSuccess(user.email);
  }
}
