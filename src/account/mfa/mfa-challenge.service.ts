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

export interface MfaChallenge {
  mfa_token: string;
  expires_in: number;
}

const INVALID_MFA_TOKEN = 'The mfa_token is invalid, expired or already used; log in again';

/**
 * The step between a proven password and the second factor. The mfa_token is a JWT of its own
 * `typ` whose `jti` is a one-time token: it works once, for one user, for MFA_TOKEN_TTL, and
 * wrong codes lock the account's two-factor step as wrong passwords lock its login.
 */
@Injectable()
export class MfaChallengeService {
  private readonly ttlSeconds: number;

  constructor(
    private readonly signer: TokenSigner,
    private readonly oneTime: OneTimeTokensService,
    private readonly twoFactor: TwoFactorService,
    private readonly lockout: TwoFactorLockoutService,
    private readonly audit: AuditLog,
    config: GatehouseConfig,
  ) {
    this.ttlSeconds = config.get('account', { infer: true }).mfa.tokenTtlSeconds;
  }

  async issue(userId: string, client: ClientInfo): Promise<MfaChallenge> {
    // Not exclusive: two devices may be half-way through logging in at once.
    const jti = (await this.oneTime.issue(userId, OneTimeTokenPurpose.MfaLogin, this.ttlSeconds, {
      exclusive: false,
    })) as string;
    this.audit.record('mfa.challenge', { ...client, userId });
    return {
      mfa_token: this.signer.signOther(
        { typ: MFA_TOKEN_TYPE, sub: userId, jti },
        MFA_TOKEN_AUDIENCE,
        this.ttlSeconds,
      ),
      expires_in: this.ttlSeconds,
    };
  }

  /** The user whose second factor this is, once both the mfa_token and the factor are spent. */
  async redeem(mfaToken: string, factor: SecondFactor, client: ClientInfo): Promise<string> {
    assertOneFactor(factor);
    const claims = parseMfaClaims(
      this.signer.verifyPayload(mfaToken, Date.now(), MFA_TOKEN_AUDIENCE),
    );
    if (!claims) throw new DomainError(ErrorCode.InvalidMfaToken, INVALID_MFA_TOKEN);
    const userId = claims.sub;
    const pending = await this.oneTime.peek(claims.jti, OneTimeTokenPurpose.MfaLogin);
    if (!pending || pending.userId !== userId) {
      throw new DomainError(ErrorCode.InvalidMfaToken, INVALID_MFA_TOKEN);
    }
    // Counted before the code is checked: parallel guesses cannot slip past the threshold.
    await this.lockout.begin(userId);
    const method = await this.lockout.check(userId, () => this.twoFactor.consume(userId, factor));
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
    return userId;
  }
}
