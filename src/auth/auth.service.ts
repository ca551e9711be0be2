import { Injectable } from '@nestjs/common';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { ClientInfo } from '../core/client-info';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { SessionIssuer } from '../tokens/session-issuer.service';
import type { GatehouseUser } from '../users/user-store';
import { UsersService } from '../users/users.service';
import { MfaChallenge, MfaChallengeService } from '../account/mfa/mfa-challenge.service';
import { SecondFactor, TwoFactorService } from '../account/mfa/two-factor.service';
import type { AccountConfig } from '../config/account.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import { PasswordHasher } from '../users/password-hasher.service';
import { LoginLockoutService } from '../users/login-lockout.service';
import { PasskeyChallengePurpose } from '../passkeys/entities/passkey-challenge.entity';
import { PasskeyAuthentication } from '../passkeys/passkey-authentication.service';
import { PasskeysService } from '../passkeys/passkeys.service';

const INVALID_CREDENTIALS = 'Invalid email or password';

/** What the password step gives: the pair, or (two-factor on) the challenge for the code. */
export type LoginResult = TokenPairResponse | (MfaChallenge & { mfa_required: true });

export const isMfaChallenge = (
  result: LoginResult,
): result is MfaChallenge & { mfa_required: true } => 'mfa_token' in result;

/**
 * Signing in: the password checked (under the lockout), then the session opened or, for an
 * account with two-factor on, the challenge issued and later redeemed.
 */
@Injectable()
export class AuthService {
  private readonly account: AccountConfig;

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly lockout: LoginLockoutService,
    private readonly twoFactor: TwoFactorService,
    private readonly mfaChallenge: MfaChallengeService,
    private readonly sessions: SessionIssuer,
    private readonly audit: AuditLog,
    private readonly passkeys: PasskeyAuthentication,
    private readonly passkeyRows: PasskeysService,
    config: GatehouseConfig,
  ) {
    this.account = config.get('account', { infer: true });
  }

  /**
   * The user whose password this is. An unknown email and a wrong password fail alike, in about
   * the same time; a disabled account is named only once its password has been proven.
   */
  async validateCredentials(
    email: string,
    password: string,
    client?: ClientInfo,
  ): Promise<GatehouseUser> {
    // A failed login is audited without the email, not even hashed: a hash of an address is
    // reversible by guessing, and with it the log would say which addresses someone tried, and
    // (next to the successes) which have accounts. The ip and the request id are what an
    // investigation follows; the lockout counts per email on its own.
    const failed = { ip: client?.ip, userAgent: client?.userAgent, requestId: client?.requestId };
    try {
      // Counted now, before the check: parallel guesses cannot slip past the threshold.
      await this.lockout.begin(email);
    } catch (error) {
      this.audit.warn('login.failure', { ...failed, reason: 'locked' });
      throw error;
    }
    const { user, ok } = await this.lockout.check(email, async () => {
      const user = await this.users.findByEmail(email);
      const ok = user
        ? await this.passwords.verify(password, user.passwordHash)
        : await this.passwords.verifyAgainstNothing(password);
      return { user, ok };
    });
    if (!user || !ok) {
      await this.lockout.fail(email);
      this.audit.record('login.failure', { ...failed, reason: 'invalid_credentials' });
      throw new DomainError(ErrorCode.InvalidCredentials, INVALID_CREDENTIALS);
    }
    await this.lockout.recordSuccess(email);
    // The password was right: naming the account tells the log reader nothing new.
    this.assertMaySignIn(user, failed);
    return user;
  }

  /** A disabled account, or one whose address must be verified first, signs in no further. */
  private assertMaySignIn(user: GatehouseUser, failed: Partial<ClientInfo>): void {
    if (user.disabled) {
      this.audit.record('login.failure', {
        ...failed,
        userId: user.id,
        reason: 'account_disabled',
      });
      throw new DomainError(ErrorCode.AccountDisabled, 'This account is disabled');
    }
    if (this.account.requireVerifiedEmail && !user.emailVerifiedAt) {
      this.audit.record('login.failure', {
        ...failed,
        userId: user.id,
        reason: 'email_not_verified',
      });
      throw new DomainError(
        ErrorCode.EmailNotVerified,
        'Verify your email address first: follow the link we mailed (POST /auth/email/resend sends a new one)',
      );
    }
  }

  /**
   * Options for signing in with a passkey: any of the site's passkeys, or (an email typed) only
   * that account's. Answered alike whether or not the address has an account.
   */
  async passkeyOptions(email: string | undefined): Promise<object> {
    if (email === undefined) return this.passkeys.signInOptions();
    const user = await this.users.findByEmail(email);
    return this.passkeys.signInOptions(user?.id ?? null);
  }

  /**
   * Signing in with a passkey alone: user verification made it two factors (the device, and
   * what unlocks it), so it opens the session at once, second factor on or not.
   */
  async passkeyLogin(answer: unknown, client: ClientInfo): Promise<TokenPairResponse> {
    const passkey = await this.passkeys.verify(answer, PasskeyChallengePurpose.SignIn, client);
    const user = await this.users.findById(passkey.userId);
    if (!user) {
      // The account was deleted and its passkeys not yet forgotten.
      throw new DomainError(ErrorCode.PasskeyRefused, 'The passkey could not be verified');
    }
    this.assertMaySignIn(user, client);
    return this.sessions.open(user, client, {
      id: passkey.id,
      stillThere: () => this.passkeyRows.exists(passkey.id),
    });
  }

  /**
   * The step after a proven password: the token pair, or for an account with two-factor on a
   * challenge (an mfa_token) that POST /auth/2fa/verify exchanges for the pair with a code.
   */
  async login(user: GatehouseUser, client: ClientInfo): Promise<LoginResult> {
    if (await this.twoFactor.isEnabled(user.id)) {
      return { mfa_required: true, ...(await this.mfaChallenge.issue(user.id, client)) };
    }
    return this.sessions.open(user, client);
  }

  /** Options for a passkey as the second factor of the mfa_token's login. */
  passkeySecondFactorOptions(mfaToken: string): Promise<object> {
    return this.mfaChallenge.passkeyOptions(mfaToken);
  }

  /** The second step of a two-factor login: the pair, for a valid mfa_token and code. */
  async completeMfaLogin(
    mfaToken: string,
    factor: SecondFactor,
    client: ClientInfo,
  ): Promise<TokenPairResponse> {
    const { userId, passkeyId } = await this.mfaChallenge.redeem(mfaToken, factor, client);
    const user = await this.users.findById(userId);
    if (!user || user.disabled) {
      throw new DomainError(ErrorCode.AccountDisabled, 'This account is disabled');
    }
    return this.sessions.open(
      user,
      client,
      passkeyId
        ? { id: passkeyId, stillThere: () => this.passkeyRows.exists(passkeyId) }
        : undefined,
    );
  }
}
