import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../../common/errors/domain-error';
import { GatehouseConfig } from '../../config/gatehouse-config';
import { TwoFactorLockoutService } from '../../users/login-lockout.service';
import { ClientInfo } from '../../core/client-info';
import { TokenSigner } from '../../tokens/token-signer';
import { OneTimeTokenPurpose } from '../../tokens/entities/one-time-token.entity';
import { OneTimeTokensService } from '../one-time-tokens.service';
import { MFA_TOKEN_AUDIENCE, MFA_TOKEN_TYPE, parseMfaClaims } from './mfa-token';
import { assertOneFactor } from './two-factor-account.service';
import { SecondFactor, TwoFactorService } from './two-factor.service';
import { PasskeyChallengePurpose } from '../../passkeys/entities/passkey-challenge.entity';
import { PasskeyAuthentication } from '../../passkeys/passkey-authentication.service';
import { PasskeysService } from '../../passkeys/passkeys.service';

export interface MfaChallenge {
  mfa_token: string;
  expires_in: number;
  /** What the second step accepts for this account. */
  mfa_methods: MfaMethod[];
}

export type MfaMethod = 'totp' | 'recovery_code' | 'passkey';

/** Whose second factor was proven, and with which passkey if it was one (the session records it). */
export interface RedeemedMfa {
  userId: string;
  passkeyId?: string;
}

const isPasskeyRefusal = (error: unknown) =>
  error instanceof DomainError && error.code === ErrorCode.PasskeyRefused;

const INVALID_MFA_TOKEN = 'The mfa_token is invalid, expired or already used; log in again';

/**
 * The step between a proven password and the second factor. The mfa_token is a JWT of its own
 * `typ` whose `jti` is a one-time token: it works once, for one user, for MFA_TOKEN_TTL, and
 * wrong codes lock the account's two-factor step as wrong passwords lock its login.
 */
@Injectable()
export class MfaChallengeService {
  private readonly ttlSeconds: number;
  private readonly passkeysOn: boolean;

  constructor(
    private readonly signer: TokenSigner,
    private readonly oneTime: OneTimeTokensService,
    private readonly twoFactor: TwoFactorService,
    private readonly lockout: TwoFactorLockoutService,
    private readonly audit: AuditLog,
    private readonly passkeys: PasskeyAuthentication,
    private readonly passkeyRows: PasskeysService,
    config: GatehouseConfig,
  ) {
    this.ttlSeconds = config.get('account', { infer: true }).mfa.tokenTtlSeconds;
    this.passkeysOn = config.get('passkeys', { infer: true }).enabled;
  }

  async issue(userId: string, client: ClientInfo): Promise<MfaChallenge> {
    // Not exclusive: two devices may be half-way through logging in at once.
    const jti = (await this.oneTime.issue(userId, OneTimeTokenPurpose.MfaLogin, this.ttlSeconds, {
      exclusive: false,
    })) as string;
    this.audit.record('mfa.challenge', { ...client, userId });
    const passkey = this.passkeysOn && (await this.passkeyRows.count(userId)) > 0;
    return {
      mfa_token: this.signer.signOther(
        { typ: MFA_TOKEN_TYPE, sub: userId, jti },
        MFA_TOKEN_AUDIENCE,
        this.ttlSeconds,
      ),
      expires_in: this.ttlSeconds,
      mfa_methods: ['totp', 'recovery_code', ...(passkey ? (['passkey'] as const) : [])],
    };
  }

  /**
   * Options for a passkey as the second factor: the account's passkeys, and a challenge bound to
   * it. The mfa_token is only looked at here; the answer spends it.
   */
  async passkeyOptions(mfaToken: string): Promise<object> {
    const { userId } = await this.pending(mfaToken);
    return this.passkeys.secondFactorOptions(userId);
  }

  /** The user whose second factor this is, once both the mfa_token and the factor are spent. */
  async redeem(mfaToken: string, factor: SecondFactor, client: ClientInfo): Promise<RedeemedMfa> {
    assertOneFactor(factor);
    const { userId, pending } = await this.pending(mfaToken);
    // Counted before the code is checked: parallel guesses cannot slip past the threshold.
    await this.lockout.begin(userId);
    const { method, passkeyId } = await this.lockout.check(
      userId,
      () => this.consume(userId, factor, client),
      isPasskeyRefusal,
    );
    if (!method) {
      await this.lockout.fail(userId);
      this.audit.warn('mfa.failure', { ...client, userId });
      throw new DomainError(
        ErrorCode.InvalidTwoFactorCode,
        'The code is wrong or was already used',
      );
    }
    // A second request with the same mfa_token and another code may have won meanwhile.
    if (!(await this.oneTime.spend(pending))) {
      // The code was right, but another request spent the mfa_token first: no failure either.
      await this.lockout.release(userId);
      throw new DomainError(ErrorCode.InvalidMfaToken, INVALID_MFA_TOKEN);
    }
    await this.lockout.recordSuccess(userId);
    if (method === 'recovery_code')
      this.audit.warn('mfa.recovery_code_used', { ...client, userId });
    return { userId, ...(passkeyId ? { passkeyId } : {}) };
  }

  /** The mfa_token's account and its one-time row, while it is valid and unspent. */
  private async pending(mfaToken: string) {
    const claims = parseMfaClaims(
      this.signer.verifyPayload(mfaToken, Date.now(), MFA_TOKEN_AUDIENCE),
    );
    if (!claims) throw new DomainError(ErrorCode.InvalidMfaToken, INVALID_MFA_TOKEN);
    const pending = await this.oneTime.peek(claims.jti, OneTimeTokenPurpose.MfaLogin);
    if (!pending || pending.userId !== claims.sub) {
      throw new DomainError(ErrorCode.InvalidMfaToken, INVALID_MFA_TOKEN);
    }
    return { userId: claims.sub, pending };
  }

  /** Checks and spends the factor: how it was proven (undefined: a wrong code). */
  private async consume(
    userId: string,
    factor: SecondFactor,
    client: ClientInfo,
  ): Promise<{ method?: MfaMethod; passkeyId?: string }> {
    if (factor.passkey === undefined)
      return { method: await this.twoFactor.consume(userId, factor) };
    const passkey = await this.passkeys
      .verify(factor.passkey, PasskeyChallengePurpose.SecondFactor, client, userId)
      .catch((error: unknown) => {
        // A failed second step, as a wrong code is (passkey.failure says why).
        if (isPasskeyRefusal(error)) this.audit.warn('mfa.failure', { ...client, userId });
        throw error;
      });
    return { method: 'passkey', passkeyId: passkey.id };
  }
}
