import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { OneTimeToken } from '../tokens/entities/one-time-token.entity';
import { RecoveryCode } from '../account/entities/recovery-code.entity';
import { UserMfa } from '../account/entities/user-mfa.entity';
import { PasskeyChallenge } from '../passkeys/entities/passkey-challenge.entity';
import { Passkey } from '../passkeys/entities/passkey.entity';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';

/** What {@link AccountErasure.forget} did. */
export interface ForgottenAccount {
  /** Tokens that were still live and are now refused, on every instance. */
  revokedTokens: number;
  /** Second-factor enrolments, recovery codes, passkeys and mailed links (reset, verification) deleted. */
  deletedRecords: number;
}

/**
 * For an application that deletes an account from its own users table. Gatehouse's rows carry no
 * foreign key into that table (it is the host's), so nothing cascades: call {@link forget} with
 * the deleted account's id.
 */
@Injectable()
export class AccountErasure {
  constructor(
    private readonly revocation: TokenRevocationService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Ends every session of the account at once, everywhere, and deletes what a new account given
   * the same id must not inherit: its second factor and recovery codes, its passkeys (and their
   * pending challenges), and any password reset or verification link still out. One transaction: all of it, or (on an error) none.
   *
   * Revoked token and session rows stay until the cleanup's retention has passed, as for any
   * ended session: they are what refuses the old tokens, and a new account with the same id is
   * not affected by them. Calling it again, or for an id Gatehouse never saw, does no harm.
   */
  async forget(userId: string | number | bigint): Promise<ForgottenAccount> {
    const id = String(userId);
    let deletedRecords = 0;
    const revokedTokens = await this.revocation.revokeAllForUser(
      id,
      RevocationReason.AccountDeleted,
      undefined,
      async (manager) => {
        for (const entity of [OneTimeToken, RecoveryCode, UserMfa, Passkey, PasskeyChallenge]) {
          deletedRecords += (await manager.delete(entity, { userId: id })).affected ?? 0;
        }
      },
    );
    this.audit.record('account.forgotten', { userId: id, revokedTokens });
    return { revokedTokens, deletedRecords };
  }
}
