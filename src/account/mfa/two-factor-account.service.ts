import { Injectable } from '@nestjs/common';
import type { Caller } from '../../core/auth-user';
import { Reauthentication } from '../../users/reauthentication.service';
import { TwoFactorLockoutService } from '../../users/login-lockout.service';
import { AuditLog } from '../../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { ClientInfo } from '../../core/client-info';
import { RevocationReason } from '../../tokens/entities/token.entity';
import { TokenRevocationService } from '../../tokens/token-revocation.service';
import { UsersService } from '../../users/users.service';
import { AccountMails } from '../account-mails.service';
import {
  SecondFactor,
  TwoFactorService,
  TwoFactorSetup,
  TwoFactorStatus,
} from './two-factor.service';

/** Exactly one: a code from the app, a recovery code, or (at the login step) a passkey. */
export function assertOneFactor(factor: SecondFactor): void {
  const given = [factor.code, factor.recoveryCode, factor.passkey].filter((f) => f !== undefined);
  if (given.length === 1) return;
  throw new DomainError(ErrorCode.ValidationFailed, 'Validation failed', [
    factor.passkey === undefined
      ? 'send either code or recovery_code, not both'
      : 'send one of passkey, code or recovery_code',
  ]);
}

const isWrongCode = (error: unknown) =>
  error instanceof DomainError && error.code === ErrorCode.WrongTwoFactorCode;

/**
 * Two-factor as the signed-in user manages it: each change audited and mailed to the account,
 * so the owner hears of a change they did not make. Setting it up and turning it on take the
 * proof of who is asking (Reauthentication: the password, or a recent sign-in), turning it off
 * the password and a current code: a stolen access token alone can do none of them.
 */
@Injectable()
export class TwoFactorAccountService {
  constructor(
    private readonly twoFactor: TwoFactorService,
    private readonly users: UsersService,
    private readonly reauthentication: Reauthentication,
    private readonly lockout: TwoFactorLockoutService,
    private readonly mails: AccountMails,
    private readonly audit: AuditLog,
    private readonly revocation: TokenRevocationService,
  ) {}

  status(userId: string): Promise<TwoFactorStatus> {
    return this.twoFactor.status(userId);
  }

  async setup(
    caller: Caller,
    password: string | undefined,
    client: ClientInfo,
  ): Promise<TwoFactorSetup> {
    const user = await this.reauthentication.confirm(caller, password, client);
    const setup = await this.twoFactor.setup(user.id, user.email);
    this.audit.record('mfa.setup', { ...client, userId: user.id });
    return setup;
  }

  async enable(
    caller: Caller,
    code: string,
    password: string | undefined,
    client: ClientInfo,
  ): Promise<string[]> {
    const userId = caller.sub;
    const { user, codes } = await this.codeAttempt(userId, async () => {
      const user = await this.reauthentication.confirm(caller, password, client);
      return { user, codes: await this.twoFactor.enable(userId, code) };
    });
    this.audit.record('mfa.enabled', { ...client, userId });
    this.mails.twoFactorChanged(user.email, true);
    return codes;
  }

  async disable(
    caller: Caller,
    password: string,
    factor: SecondFactor,
    client: ClientInfo,
  ): Promise<void> {
    assertOneFactor(factor);
    const userId = caller.sub;
    const user = await this.codeAttempt(userId, async () => {
      // Always the password here, recent sign-in or not; a wrong one counts toward the lockout.
      const user = await this.reauthentication.confirm(caller, password, client);
      await this.twoFactor.disable(userId, factor).catch((error: unknown) => {
        if (isWrongCode(error)) this.audit.warn('mfa.failure', { ...client, userId });
        throw error;
      });
      return user;
    });
    this.audit.record('mfa.disabled', { ...client, userId });
    this.mails.twoFactorChanged(user.email, false);
  }

  /**
   * Runs a step that checks a code as one attempt of the account's two-factor lockout: counted
   * before, cleared on success, a failure on a wrong code, taken back when it failed for another
   * reason (no setup pending, a wrong password, which the login lockout counts).
   */
  private async codeAttempt<T>(userId: string, step: () => Promise<T>): Promise<T> {
    await this.lockout.begin(userId);
    const result = await this.lockout.check(userId, step, isWrongCode);
    await this.lockout.recordSuccess(userId);
    return result;
  }

  /**
   * An admin turns it off: the owner lost every factor, or someone else enrolled one with a
   * stolen token. Every session ends, since whoever enrolled it may hold one.
   */
  async resetByAdmin(userId: string, adminId: string, client: ClientInfo): Promise<void> {
    const user = await this.users.getById(userId);
    if (!(await this.twoFactor.remove(userId))) {
      throw new DomainError(ErrorCode.TwoFactorNotEnabled, 'Two-factor authentication is off');
    }
    const revokedTokens = await this.revocation.revokeAllForUser(userId, RevocationReason.Admin);
    await this.lockout.recordSuccess(userId);
    this.audit.warn('admin.mfa_reset', { ...client, userId, adminId, revokedTokens });
    this.mails.twoFactorChanged(user.email, false);
  }
}
