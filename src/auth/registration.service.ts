import { Injectable } from '@nestjs/common';
import { BackgroundTasks } from '../common/background-tasks.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { ClientInfo } from '../core/client-info';
import { AccountMails } from '../account/account-mails.service';
import { EmailVerificationService } from '../account/email-verification.service';
import { UserResponse } from '../users/dto/user.response';
import { BreachedPasswords } from '../users/breached-passwords';
import { PasswordHasher } from '../users/password-hasher.service';
import { UsersService } from '../users/users.service';

/** POST /auth/register: a new account and the mail that verifies its address. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly breached: BreachedPasswords,
    private readonly verification: EmailVerificationService,
    private readonly mails: AccountMails,
    private readonly tasks: BackgroundTasks,
  ) {}

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
}
