import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Not, Repository } from 'typeorm';
import { Transactions } from '../../database/transactions.service';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { isDuplicateKey } from '../../common/errors/driver-errors';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { RecoveryCode } from '../entities/recovery-code.entity';
import { UserMfa } from '../entities/user-mfa.entity';
import { qrCodeDataUrl } from './qr-code';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';
import { SecretBox } from './secret-box';
import { generateTotpSecret, matchTotp, otpauthUri, totpSecretText } from './totp';

export interface TwoFactorSetup {
  secret: string;
  otpauthUri: string;
  qrCode: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

/** A second factor as presented: a code from the authenticator app, a recovery code, or a passkey. */
export interface SecondFactor {
  code?: string;
  recoveryCode?: string;
  /** A passkey's answer (WebAuthn assertion JSON) to the challenge of POST /auth/2fa/passkey/options. */
  passkey?: unknown;
}

/**
 * TOTP two-factor for an account: setup, enabling with a first code, checking codes with replay
 * protection, recovery codes and disabling. Secrets are sealed (AES-256-GCM, bound to the user
 * id) before they reach the database, and never logged.
 */
@Injectable()
export class TwoFactorService {
  private readonly logger = new Logger(TwoFactorService.name);
  private readonly box: SecretBox;
  private readonly issuer: string;

  constructor(
    @InjectRepository(UserMfa) private readonly mfa: Repository<UserMfa>,
    @InjectRepository(RecoveryCode) private readonly recovery: Repository<RecoveryCode>,
    private readonly transactions: Transactions,
    config: GatehouseConfig,
  ) {
    const account = config.get('account', { infer: true });
    // Here, as the app boots: production without MFA_ENCRYPTION_KEY stops now, not at a setup.
    this.box = new SecretBox(account.mfa.encryptionKey());
    this.issuer = account.appName;
  }

  async isEnabled(userId: string): Promise<boolean> {
    return this.mfa.existsBy({ userId, enabledAt: Not(IsNull()) });
  }

  async status(userId: string): Promise<TwoFactorStatus> {
    const row = await this.mfa.findOneBy({ userId });
    const enabledAt = row?.enabledAt ?? null;
    const recoveryCodesLeft = enabledAt
      ? await this.recovery.countBy({ userId, usedAt: IsNull() })
      : 0;
    return { enabled: enabledAt !== null, enabledAt, recoveryCodesLeft };
  }

  /** A new secret, pending until `enable` proves the authenticator shows its codes. */
  async setup(userId: string, accountLabel: string): Promise<TwoFactorSetup> {
    if (await this.isEnabled(userId)) {
      throw new DomainError(
        ErrorCode.TwoFactorAlreadyEnabled,
        'Two-factor authentication is already on',
      );
    }
    const secret = generateTotpSecret();
    const pending = {
      secret: this.box.seal(secret, userId),
      enabledAt: null,
      lastUsedStep: null,
      createdAt: new Date(),
    };
    // Replaces a pending setup only, never an enabled one, even if an enable lands meanwhile.
    const replacePending = async () =>
      (await this.mfa.update({ userId, enabledAt: IsNull() }, pending)).affected === 1;
    if (!(await replacePending())) {
      try {
        await this.mfa.insert({ userId, ...pending });
      } catch (error) {
        // A concurrent setup inserted first (replace its secret), or an enable won (refuse).
        if (!isDuplicateKey(error)) throw error;
        if (!(await replacePending())) {
          throw new DomainError(
            ErrorCode.TwoFactorAlreadyEnabled,
            'Two-factor authentication is already on',
          );
        }
      }
    }
    const uri = otpauthUri({ secret, issuer: this.issuer, account: accountLabel });
    return { secret: totpSecretText(secret), otpauthUri: uri, qrCode: await qrCodeDataUrl(uri) };
  }

  /** Turns two-factor on with a first code; returns the recovery codes, shown this once. */
  async enable(userId: string, code: string): Promise<string[]> {
    const row = await this.mfa.findOneBy({ userId });
    if (!row) throw new DomainError(ErrorCode.TwoFactorNotSetUp, 'Call POST /auth/2fa/setup first');
    if (row.enabledAt) {
      throw new DomainError(
        ErrorCode.TwoFactorAlreadyEnabled,
        'Two-factor authentication is already on',
      );
    }
    // Proves the app shows the right codes; not a sign-in, so the code is not spent: the user
    // may log in with it straight away rather than wait for the next one.
    if (matchTotp(this.openSecret(row), code) === undefined) throw this.wrongCode();
    const codes = generateRecoveryCodes();
    const now = new Date();
    const enabled = await this.transactions.run(async (manager) => {
      // Conditional: two concurrent enables (or an enable racing a new setup) turn it on once.
      const { affected } = await manager.update(
        UserMfa,
        { userId, enabledAt: IsNull(), secret: row.secret },
        { enabledAt: now, lastUsedStep: null },
      );
      if (affected !== 1) return false;
      await manager.delete(RecoveryCode, { userId });
      await manager.insert(
        RecoveryCode,
        codes.map((c) => this.recoveryRow(userId, c, now)),
      );
      return true;
    });
    if (!enabled) throw this.wrongCode();
    return codes;
  }

  /** Checks a second factor of a user with two-factor on and spends it: how, or undefined. */
  async consume(
    userId: string,
    factor: SecondFactor,
    now = Date.now(),
  ): Promise<'totp' | 'recovery_code' | undefined> {
    if (factor.recoveryCode !== undefined) {
      return (await this.consumeRecoveryCode(userId, factor.recoveryCode, now))
        ? 'recovery_code'
        : undefined;
    }
    if (factor.code !== undefined)
      return (await this.consumeCode(userId, factor.code, now)) ? 'totp' : undefined;
    return undefined;
  }

  /** Turns two-factor off (the caller has checked the password); the factor must be current. */
  async disable(userId: string, factor: SecondFactor): Promise<void> {
    if (!(await this.isEnabled(userId))) {
      throw new DomainError(ErrorCode.TwoFactorNotEnabled, 'Two-factor authentication is off');
    }
    if (!(await this.consume(userId, factor))) throw this.wrongCode();
    await this.remove(userId);
  }

  /** Drops the authenticator (pending or enabled) and the recovery codes; false if there was none. */
  async remove(userId: string): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      await manager.delete(RecoveryCode, { userId });
      const { affected } = await manager.delete(UserMfa, { userId });
      return (affected ?? 0) > 0;
    });
  }

  /**
   * A TOTP code is accepted for a time step later than the last one accepted, by one conditional
   * UPDATE: the same code twice, even concurrently, succeeds once (RFC 6238 §5.2).
   */
  private async consumeCode(userId: string, code: string, now: number): Promise<boolean> {
    const row = await this.mfa.findOneBy({ userId, enabledAt: Not(IsNull()) });
    if (!row) return false;
    const step = matchTotp(this.openSecret(row), code, { nowMs: now });
    if (step === undefined) return false;
    const { affected } = await this.mfa
      .createQueryBuilder()
      .update(UserMfa)
      .set({ lastUsedStep: step })
      .where({ userId, secret: row.secret })
      .andWhere('(last_used_step IS NULL OR last_used_step < :step)', { step })
      .execute();
    return affected === 1;
  }

  private async consumeRecoveryCode(userId: string, input: string, now: number): Promise<boolean> {
    const normalized = normalizeRecoveryCode(input);
    if (!normalized) return false;
    const { affected } = await this.recovery.update(
      { userId, codeHash: hashRecoveryCode(normalized, userId), usedAt: IsNull() },
      { usedAt: new Date(now) },
    );
    return affected === 1;
  }

  /**
   * The secret in clear, for this check only. A secret that will not open means the key changed
   * (or the row was copied from elsewhere): the operator must know, the user gets a 503 that
   * points to the recovery codes, which do not depend on the key.
   */
  private openSecret(row: UserMfa): Buffer {
    try {
      return this.box.open(row.secret, row.userId);
    } catch {
      this.logger.error(
        `the TOTP secret of user ${row.userId} cannot be opened: was MFA_ENCRYPTION_KEY changed?`,
      );
      throw new DomainError(
        ErrorCode.TwoFactorUnavailable,
        'Two-factor codes cannot be checked right now; use a recovery code',
      );
    }
  }

  private recoveryRow(userId: string, code: string, now: Date): RecoveryCode {
    const codeHash = hashRecoveryCode(normalizeRecoveryCode(code) as string, userId);
    return this.recovery.create({
      id: randomUUID(),
      userId,
      codeHash,
      createdAt: now,
      usedAt: null,
    });
  }

  private wrongCode(): DomainError {
    return new DomainError(ErrorCode.WrongTwoFactorCode, 'The code is wrong or was already used');
  }
}
