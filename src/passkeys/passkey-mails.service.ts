import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { Mailer } from '../mail/mailer.service';
import { PasskeyChange, passkeyChangedMail } from '../mail/templates';

/** Tells an account's owner of every change to its passkeys: a change they did not make shows. */
@Injectable()
export class PasskeyMails {
  private readonly appName: string;

  constructor(
    private readonly mailer: Mailer,
    config: GatehouseConfig,
  ) {
    this.appName = config.get('account', { infer: true }).appName;
  }

  changed(to: string, change: PasskeyChange, name: string): void {
    this.mailer.send(
      passkeyChangedMail({ to, appName: this.appName, change, name, when: new Date() }),
    );
  }
}
