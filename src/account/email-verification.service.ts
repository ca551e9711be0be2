import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { BackgroundTasks } from '../common/background-tasks.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { AccountConfig } from '../config/account.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import { ClientInfo } from '../core/client-info';
import type { GatehouseUser } from '../users/user-store';
import { UsersService } from '../users/users.service';
import { AccountMails } from './account-mails.service';
import { OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { OneTimeTokensService } from './one-time-tokens.service';

export const INVALID_LINK =
  'The link is invalid, already used, superseded by a newer one, or expired';

/** Proving an account's email address: the mailed link, its resending, and the proof itself. */
@Injectable()
export class EmailVerificationService {
  private readonly account: AccountConfig;

  constructor(
    private readonly users: UsersService,
    private readonly oneTime: OneTimeTokensService,
    private readonly mails: AccountMails,
    private readonly tasks: BackgroundTasks,
    private readonly audit: AuditLog,
    config: GatehouseConfig,
  ) {
    this.account = config.get('account', { infer: true });
  }

  /** After a registration: the first link, sent once the answer is on its way. */
  sendAfterRegistration(user: Pick<GatehouseUser, 'id' | 'email'>, client: ClientInfo): void {
    this.tasks.run('verification mail', () => this.send(user, client, 0));
  }

  /**
   * The same answer whether or not the address has an account, is verified already or asked a
   * moment ago: the work happens after the answer, and only for an unverified account.
   */
  requestResend(email: string, client: ClientInfo): void {
    this.tasks.run('verification resend', async () => {
      const user = await this.users.findByEmail(email);
      if (!user || user.disabled || user.emailVerifiedAt) return;
      await this.send(user, client, this.account.resendIntervalSeconds);
    });
  }

  async verify(token: string, client: ClientInfo): Promise<void> {
    const spent = await this.oneTime.consume(token, OneTimeTokenPurpose.EmailVerification);
    if (!spent) throw new DomainError(ErrorCode.InvalidOneTimeToken, INVALID_LINK);
    await this.users.markEmailVerified(spent.userId);
    this.audit.record('email.verified', { ...client, userId: spent.userId });
  }

  private async send(
    user: Pick<GatehouseUser, 'id' | 'email'>,
    client: ClientInfo,
    cooldownSeconds: number,
  ) {
    const token = await this.oneTime.issue(
      user.id,
      OneTimeTokenPurpose.EmailVerification,
      this.account.verificationTtlSeconds,
      { cooldownSeconds },
    );
    if (!token) return;
    this.mails.verification(user.email, token);
    this.audit.record('email.verification_sent', { ...client, userId: user.id });
  }
}
