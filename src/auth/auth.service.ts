import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditLog } from '../common/audit/audit-log.service';
import { BackgroundTasks } from '../common/background-tasks.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { ClientInfo } from '../core/client-info';
import { TokenPairResponse } from '../tokens/dto/token-pair.response';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { TokenSubject, TokensService } from '../tokens/tokens.service';
import { UserResponse } from '../users/dto/user.response';
import type { GatehouseUser } from '../users/user-store';
import { UsersService } from '../users/users.service';
import { AccountMails } from '../account/account-mails.service';
import { EmailVerificationService } from '../account/email-verification.service';
import { OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { MfaChallenge, MfaChallengeService } from '../account/mfa/mfa-challenge.service';
import { SecondFactor, TwoFactorService } from '../account/mfa/two-factor.service';
import { OneTimeTokensService } from '../account/one-time-tokens.service';
import type { AccountConfig } from '../config/account.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import type { Caller } from '../core/auth-user';
import { PasswordHasher } from '../users/password-hasher.service';
import { BreachedPasswords } from '../users/breached-passwords';
import { Reauthentication } from '../users/reauthentication.service';
import { LoginLockoutService } from '../users/login-lockout.service';

const INVALID_CREDENTIALS = 'Invalid email or password';

/** What the password step gives: the pair, or (two-factor on) the challenge for the code. */
export type LoginResult = TokenPairResponse | (MfaChallenge & { mfa_required: true });

export const isMfaChallenge = (
  result: LoginResult,
): result is MfaChallenge & { mfa_required: true } => 'mfa_token' in result;

/** Registration, credential checks, login, refresh and logout: the flows behind /auth. */
@Injectable()
export class AuthService {
  private readonly account: AccountConfig;

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokensService,
    private readonly revocation: TokenRevocationService,
    private readonly lockout: LoginLockoutService,
    private readonly reauthentication: Reauthentication,
    private readonly audit: AuditLog,
    private readonly verification: EmailVerificationService,
    private readonly twoFactor: TwoFactorService,
    private readonly mfaChallenge: MfaChallengeService,
    private readonly oneTime: OneTimeTokensService,
    private readonly mails: AccountMails,
    private readonly tasks: BackgroundTasks,
    private readonly breached: BreachedPasswords,
    config: GatehouseConfig,
  ) {
    this.account = config.get('account', { infer: true });
  }

  /**
   * AUTH_REGISTRATION_QUIET's registration: the same work and the same (empty) answer whether or
   * not the address has an account, the password hashed and the row inserted either way (the
   * unique index refuses a taken address). A new account gets the verification mail; the owner of
   * a taken address gets one saying someone tried, which leads to the forgotten-password page.
   */
  async registerQuietly(email: string, password: string, client: ClientInfo): Promise<void> {
    try {
      await this.register(email, password, client);
    } catch (error) {
      if (!(error instanceof DomainError && error.code === ErrorCode.EmailTaken)) throw error;
      this.tasks.run('registration attempt mail', async () => {
        const owner = await this.users.findByEmail(email);
        if (owner && !owner.disabled) this.mails.registrationAttempt(owner.email);
      });
    }
  }

  /** Creates the account and mails the link that verifies its address. */
  async register(email: string, password: string, client: ClientInfo): Promise<UserResponse> {
    await this.breached.assertNotBreached(password);
    const user = await this.users.create({
      email,
      passwordHash: await this.passwords.hash(password),
    });
    this.verification.sendAfterRegistration(user, client);
    return UserResponse.from(user);
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
    if (user.disabled) {
      // The password was right: naming the account tells the log reader nothing new.
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
    return user;
  }

  /**
   * The step after a proven password: the token pair, or for an account with two-factor on a
   * challenge (an mfa_token) that POST /auth/2fa/verify exchanges for the pair with a code.
   */
  async login(user: GatehouseUser, client: ClientInfo): Promise<LoginResult> {
    if (await this.twoFactor.isEnabled(user.id)) {
      return { mfa_required: true, ...(await this.mfaChallenge.issue(user.id, client)) };
    }
    return this.openSession(user, client);
  }

  /** The second step of a two-factor login: the pair, for a valid mfa_token and code. */
  async completeMfaLogin(
    mfaToken: string,
    factor: SecondFactor,
    client: ClientInfo,
  ): Promise<TokenPairResponse> {
    const userId = await this.mfaChallenge.redeem(mfaToken, factor, client);
    const user = await this.users.findById(userId);
    if (!user || user.disabled) {
      throw new DomainError(ErrorCode.AccountDisabled, 'This account is disabled');
    }
    return this.openSession(user, client);
  }

  private async openSession(user: GatehouseUser, client: ClientInfo): Promise<TokenPairResponse> {
    // Chosen here rather than by startSession so that the audit line can name the session.
    const sessionId = randomUUID();
    const pair = await this.tokens.startSession(
      { id: user.id, roles: user.roles, claims: user.claims },
      client,
      sessionId,
    );
    // An admin may have disabled the account between the password check and the insert: its
    // revoke-all ran before our rows existed. Look again, now that they do.
    if (!(await this.activeSubject(user.id))) {
      await this.revocation.revokeAllForUser(user.id, RevocationReason.UserDisabled);
      this.audit.record('login.failure', {
        ...client,
        userId: user.id,
        reason: 'account_disabled',
      });
      throw new DomainError(ErrorCode.AccountDisabled, 'This account is disabled');
    }
    this.audit.record('login.success', { ...client, userId: user.id, sessionId });
    return pair;
  }

  refresh(refreshToken: string, client: ClientInfo): Promise<TokenPairResponse> {
    return this.tokens.rotate(refreshToken, (id) => this.activeSubject(id), client);
  }

  /**
   * Changes the caller's password after checking the current one, then ends every other session:
   * whoever else held a token under the old password is out.
   */
  async changePassword(
    caller: Caller,
    current: string,
    next: string,
    client?: ClientInfo,
  ): Promise<void> {
    // Always the current password, however recent the sign-in; a wrong one counts as a failed login.
    const user = await this.reauthentication.confirm(caller, current, client);
    await this.breached.assertNotBreached(next);
    await this.users.setPasswordHash(user.id, await this.passwords.hash(next));
    const revokedTokens = await this.revocation.revokeAllForUser(
      user.id,
      RevocationReason.PasswordChanged,
      caller.sessionId,
    );
    // A reset link mailed before would otherwise still set a password of its sender's choice,
    // and a half-done two-factor login rests on the old password.
    await this.oneTime.voidUnspent(user.id, [
      OneTimeTokenPurpose.PasswordReset,
      OneTimeTokenPurpose.MfaLogin,
    ]);
    this.mails.passwordChanged(user.email, client?.ip);
    this.audit.record('password.changed', {
      ...client,
      userId: user.id,
      sessionId: caller.sessionId,
      revokedTokens,
    });
  }

  /**
   * Cookie mode's logout, where the refresh cookie is the credential: ends its session. A cookie
   * that is no longer valid ends nothing and is not an error (the session is over either way).
   */
  async logoutWithRefreshToken(refreshToken: string, client?: ClientInfo): Promise<void> {
    const claims = this.tokens.identifyRefreshToken(refreshToken);
    if (!claims) return;
    const revokedTokens = await this.revocation.revokeFamily(claims.sid, RevocationReason.Logout);
    this.audit.record('logout', {
      ...client,
      userId: claims.sub,
      sessionId: claims.sid,
      revokedTokens,
    });
  }

  /** Ends the caller's session: its access token and the refresh token of the same family. */
  async logout(caller: Caller, client?: ClientInfo): Promise<void> {
    const revokedTokens = await this.revocation.revokeFamily(
      caller.sessionId,
      RevocationReason.Logout,
    );
    this.audit.record('logout', {
      ...client,
      userId: caller.sub,
      sessionId: caller.sessionId,
      revokedTokens,
    });
  }

  private async activeSubject(id: string): Promise<TokenSubject | undefined> {
    const user = await this.users.findById(id);
    return user && !user.disabled
      ? { id: user.id, roles: user.roles, claims: user.claims }
      : undefined;
  }
}
