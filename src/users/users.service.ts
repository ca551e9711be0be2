import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { ROLE_USER } from './entities/user.entity';
import { USER_STORE } from './user-store';
import { emailKey } from './canonical-email';
import type { GatehouseUser, UserStore } from './user-store';

/**
 * Emails are stored and compared in their canonical form (canonicalEmail: trimmed, NFKC,
 * lower-cased, IDNA domain), so `Ada@X.com `, `ａｄａ@ｘ.com` and `ada@x.com` are one address. An
 * address with hidden characters comes back as it is: validation refuses it, and it matches
 * nothing stored.
 */
export function normalizeEmail(email: string): string {
  return emailKey(email);
}

/**
 * Accounts, as the rest of Gatehouse reaches them: through the UserStore port (Gatehouse's own
 * users table, or the host's). Password hashing is the caller's job.
 */
@Injectable()
export class UsersService {
  constructor(@Inject(USER_STORE) private readonly store: UserStore) {}

  create(input: {
    email: string;
    passwordHash: string;
    roles?: string[];
    emailVerified?: boolean;
  }): Promise<GatehouseUser> {
    return this.store.create({
      email: normalizeEmail(input.email),
      passwordHash: input.passwordHash,
      roles: input.roles ?? [ROLE_USER],
      emailVerified: input.emailVerified ?? false,
    });
  }

  findByEmail(email: string): Promise<GatehouseUser | null> {
    return this.store.findByEmail(normalizeEmail(email));
  }

  findById(id: string): Promise<GatehouseUser | null> {
    return this.store.findById(id);
  }

  async getById(id: string): Promise<GatehouseUser> {
    const user = await this.findById(id);
    if (!user) throw new DomainError(ErrorCode.NotFound, 'User not found');
    return user;
  }

  list(limit: number, offset: number): Promise<{ items: GatehouseUser[]; total: number }> {
    return this.store.list(limit, offset);
  }

  /** `manager`: inside a transaction of the caller's (one that also ends sessions, say). */
  setRoles(id: string, roles: string[], manager?: EntityManager): Promise<void> {
    return this.store.setRoles(id, roles, manager);
  }

  setPasswordHash(id: string, passwordHash: string): Promise<void> {
    return this.store.setPasswordHash(id, passwordHash);
  }

  /** Records that the owner proved the address; the first proof's time is kept. */
  markEmailVerified(id: string, at = new Date()): Promise<void> {
    return this.store.markEmailVerified(id, at);
  }

  setDisabled(id: string, disabled: boolean, manager?: EntityManager): Promise<void> {
    return this.store.setDisabled(id, disabled, manager);
  }

  /** The id as the host's code knows it: what `@CurrentUser().id` is. */
  hostId(id: string): string | number {
    return this.store.hostId?.(id) ?? id;
  }
}
