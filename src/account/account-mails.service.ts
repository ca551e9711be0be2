import { Injectable } from '@nestjs/common';
import type { AccountConfig } from '../config/account.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import { Mailer } from '../mail/mailer.service';
import {
  passwordChangedMail,
  passwordResetMail,
  registrationAttemptMail,
  twoFactorChangedMail,
  verificationMail,
} from '../mail/templates';

/**
 * The account mails, with links into the application at APP_URL. The token travels in the
 * link's fragment (`#token=`): browsers never send a fragment to a server, so it stays out of
 * access logs, proxies and Referer headers; the page reads it and POSTs it to the API.
 */
@Injectable()
export class AccountMails {
  private readonly account: AccountConfig;

  constructor(
    private readonly mailer: Mailer,
    config: GatehouseConfig,
  ) {
    this.account = config.get('account', { infer: true });
  }

  verification(to: string, token: string): void {
    const { appName, verificationTtlSeconds: ttlSeconds } = this.account;
    this.mailer.send(
      verificationMail({ to, appName, ttlSeconds, link: this.link('verify-email', token) }),
    );
  }

  passwordReset(to: string, token: string): void {
    const { appName, resetTtlSeconds: ttlSeconds } = this.account;
    this.mailer.send(
      passwordResetMail({ to, appName, ttlSeconds, link: this.link('reset-password', token) }),
    );
  }

  passwordChanged(to: string, ip?: string | null): void {
    this.mailer.send(
      passwordChangedMail({ to, appName: this.account.appName, when: new Date(), ip }),
    );
  }

  /** Someone tried to register this address again; the link leads to the forgotten-password page. */
  registrationAttempt(to: string): void {
    this.mailer.send(
      registrationAttemptMail({
        to,
        appName: this.account.appName,
        link: `${this.account.appUrl}/forgot-password`,
      }),
    );
  }

  twoFactorChanged(to: string, enabled: boolean): void {
    this.mailer.send(
      twoFactorChangedMail({
        to,
        appName: this.account.appName,
        enabled,
        when: new Date(),
        resetWindowSeconds: this.account.mfa.resetWindowSeconds,
      }),
    );
  }

  private link(page: string, token: string): string {
    return `${this.account.appUrl}/${page}#token=${token}`;
  }
}
