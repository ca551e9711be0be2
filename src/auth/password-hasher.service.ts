import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import bcrypt from 'bcryptjs';
import type { AllConfig } from '../config';

/** bcrypt reads at most 72 bytes of its input; longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * Hashes and checks passwords with bcrypt. Input is Unicode-normalised (NFC) first, so the same
 * password typed on two keyboards hashes the same.
 */
@Injectable()
export class PasswordHasher {
  private readonly cost: number;
  private dummyHash?: Promise<string>;

  constructor(config: ConfigService<AllConfig, true>) {
    this.cost = config.get('auth', { infer: true }).bcryptCost;
  }

  hash(password: string): Promise<string> {
    const normalized = password.normalize('NFC');
    if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) {
      // DTO validation refuses these first; this guards any other caller.
      return Promise.reject(new RangeError(`password longer than ${MAX_PASSWORD_BYTES} bytes`));
    }
    return bcrypt.hash(normalized, this.cost);
  }

  /** Never truncates: a password bcrypt would cut at 72 bytes cannot match. */
  async verify(password: string, hash: string): Promise<boolean> {
    const normalized = password.normalize('NFC');
    if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) {
      await this.verifyAgainstNothing(password.slice(0, MAX_PASSWORD_BYTES));
      return false;
    }
    return bcrypt.compare(normalized, hash);
  }

  /**
   * Spends the same time as a real check when there is no account to check against, so the
   * answer's timing does not tell whether an email is registered.
   */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('gatehouse-dummy-password', this.cost);
    await bcrypt.compare(password.normalize('NFC'), await this.dummyHash);
    return false;
  }
}
