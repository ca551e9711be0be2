import { Injectable } from '@nestjs/common';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { Caller } from '../core/auth-user';
import type { ClientInfo } from '../core/client-info';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { Reauthentication } from '../users/reauthentication.service';
import { UsersService } from '../users/users.service';
import { Passkey } from './entities/passkey.entity';
import { PasskeyMails } from './passkey-mails.service';
import { PasskeyRegistration } from './passkey-registration.service';
import { PasskeysService } from './passkeys.service';

/**
 * Passkeys as their owner (or an admin) manages them: each change audited and mailed to the
 * account. Adding one and removing one take the proof of who is asking (Reauthentication: the
 * password, or a recent sign-in), as every change of how the account signs in does. Removing one
 * ends the sessions it signed in, on every device.
 */
@Injectable()
export class PasskeyAccount {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly registration: PasskeyRegistration,
    private readonly reauthentication: Reauthentication,
    private readonly users: UsersService,
    private readonly revocation: TokenRevocationService,
    private readonly mails: PasskeyMails,
    private readonly audit: AuditLog,
  ) {}

  list(userId: string): Promise<Passkey[]> {
    return this.passkeys.list(userId);
  }

  /** Another account's, for an admin: 404 for an account that does not exist. */
  async listOf(userId: string): Promise<Passkey[]> {
    await this.users.getById(userId);
    return this.passkeys.list(userId);
  }

  async registrationOptions(
    caller: Caller,
    password: string | undefined,
    client: ClientInfo,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const user = await this.reauthentication.confirm(caller, password, client);
    return this.registration.options(user);
  }

  async register(
    caller: Caller,
    answer: unknown,
    name: string | undefined,
    client: ClientInfo,
  ): Promise<Passkey> {
    const userId = caller.sub;
    const user = await this.users.getById(userId);
    const passkey = await this.registration.verify(userId, answer, name).catch((error: unknown) => {
      if (error instanceof DomainError) {
        this.audit.warn('passkey.failure', {
          ...client,
          userId,
          purpose: 'registration',
          reason: error.internalReason ?? error.code,
        });
      }
      throw error;
    });
    this.audit.record('passkey.registered', { ...client, userId, passkeyId: passkey.id });
    this.mails.changed(user.email, 'added', passkey.name);
    return passkey;
  }

  async rename(caller: Caller, id: string, name: string, client: ClientInfo): Promise<Passkey> {
    const user = await this.users.getById(caller.sub);
    const passkey = await this.passkeys.rename(user.id, id, name);
    this.audit.record('passkey.renamed', { ...client, userId: user.id, passkeyId: id });
    this.mails.changed(user.email, 'renamed', name);
    return passkey;
  }

  async remove(
    caller: Caller,
    id: string,
    password: string | undefined,
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.reauthentication.confirm(caller, password, client);
    const passkey = await this.passkeys.get(user.id, id);
    const revokedTokens = await this.delete(passkey);
    this.audit.record('passkey.removed', {
      ...client,
      userId: user.id,
      passkeyId: id,
      revokedTokens,
    });
    this.mails.changed(user.email, 'removed', passkey.name);
  }

  /**
   * An admin removes one passkey of an account, or all of them (`id` undefined): the owner lost
   * the device, or someone else added one with a stolen session. Mailed to the owner.
   */
  async removeByAdmin(
    userId: string,
    id: string | undefined,
    adminId: string,
    client: ClientInfo,
  ): Promise<number> {
    const user = await this.users.getById(userId);
    const targets = id ? [await this.passkeys.get(userId, id)] : await this.passkeys.list(userId);
    let revokedTokens = 0;
    for (const passkey of targets) {
      revokedTokens += await this.delete(passkey, RevocationReason.Admin);
      this.mails.changed(user.email, 'removed_by_admin', passkey.name);
    }
    this.audit.warn('admin.passkeys_removed', {
      ...client,
      userId,
      adminId,
      passkeyIds: targets.map((passkey) => passkey.id),
      revokedTokens,
    });
    return targets.length;
  }

  /**
   * Its sessions, then the row, then its sessions again. The first pass comes before the row
   * goes, so a failure leaves the passkey in place and the owner can try again, its sessions
   * ended or not. A sign-in that verified the passkey just before the row went opens its session
   * after: it finds the passkey gone and ends that session itself (SessionIssuer), or, had it
   * looked before, the second pass ends it.
   */
  private async delete(
    passkey: Passkey,
    reason = RevocationReason.PasskeyRemoved,
  ): Promise<number> {
    const first = await this.revocation.revokeSignedInWith(passkey.id, reason);
    if (!(await this.passkeys.delete(passkey.userId, passkey.id))) {
      throw new DomainError(ErrorCode.NotFound, 'Passkey not found');
    }
    return first + (await this.revocation.revokeSignedInWith(passkey.id, reason));
  }

  /**
   * The passkeys added within `windowMs`, removed by a password reset that asked to remove the
   * factors added recently (its sessions have all ended already): someone who took a session
   * could have added one, and would keep signing in with it after the reset.
   */
  async removeRecent(
    user: { id: string; email: string },
    windowMs: number,
    client: ClientInfo,
  ): Promise<number> {
    const since = Date.now() - windowMs;
    const recent = (await this.passkeys.list(user.id)).filter(
      (passkey) => passkey.createdAt.getTime() >= since,
    );
    for (const passkey of recent) {
      await this.delete(passkey, RevocationReason.PasswordReset);
      this.audit.warn('passkey.removed', {
        ...client,
        userId: user.id,
        passkeyId: passkey.id,
        reason: 'password_reset',
      });
      this.mails.changed(user.email, 'removed', passkey.name);
    }
    return recent.length;
  }
}
