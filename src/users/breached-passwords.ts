import { Inject, Injectable, Logger, Optional, Type } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/errors/domain-error';

/**
 * A port for a breached-password service, for the host to plug in (`breachedPasswords:
 * { useClass }` in AuthModule's options); off by default. New passwords (registration, change,
 * reset) are refused when it says they appear in a breach. Implement it with a k-anonymity range
 * query, as Have I Been Pwned's Pwned Passwords offers: send the first five hex digits of the
 * password's SHA-1, compare the suffixes that come back locally; the password never leaves.
 */
export interface BreachedPasswordCheck {
  isBreached(password: string): Promise<boolean>;
}

export const BREACHED_PASSWORD_CHECK = Symbol('gatehouse:breached-password-check');

/** What AuthModule's `breachedPasswords` option takes. */
export interface GatehouseBreachedPasswordsOption {
  useClass: Type<BreachedPasswordCheck>;
}

/** The longest a registration waits for the service; past it, the password is not held up. */
export const BREACH_CHECK_TIMEOUT_MS = 2000;

/**
 * Applies the host's BreachedPasswordCheck, if there is one. A service that fails or does not
 * answer within {@link BREACH_CHECK_TIMEOUT_MS} does not stop anyone choosing a password (the
 * shipped common-password list still applies): it is logged, once per outage.
 */
@Injectable()
export class BreachedPasswords {
  private readonly logger = new Logger(BreachedPasswords.name);
  private down = false;

  constructor(
    @Optional()
    @Inject(BREACHED_PASSWORD_CHECK)
    private readonly check?: BreachedPasswordCheck | null,
  ) {}

  async assertNotBreached(password: string): Promise<void> {
    if (!this.check) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), BREACH_CHECK_TIMEOUT_MS);
    });
    const answer = await Promise.race([this.check.isBreached(password), timeout])
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      .finally(() => clearTimeout(timer));
    if (answer === true) {
      throw new DomainError(ErrorCode.ValidationFailed, 'Validation failed', [
        'password appears in a known data breach: choose another',
      ]);
    }
    if (answer === false) {
      if (this.down) this.logger.log('breached-password check answering again');
      this.down = false;
      return;
    }
    if (!this.down) {
      this.logger.warn(
        `breached-password check unavailable (${answer === 'timeout' ? 'no answer' : answer.message}); passwords are not checked against it meanwhile`,
      );
    }
    this.down = true;
  }
}
