import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { isDuplicateKey } from '../common/errors/duplicate-key';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { ROLE_USER, User } from './entities/user.entity';

/** Emails are compared and stored trimmed and lower-cased, so `Ada@X.com ` and `ada@x.com` match. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}


/** Accounts: creation, lookup and listing. Password hashing is the caller's job. */
@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async create(input: {
    email: string;
    passwordHash: string;
    roles?: string[];
    emailVerified?: boolean;
  }): Promise<User> {
    const email = normalizeEmail(input.email);
    if (await this.users.existsBy({ email })) {
      throw new DomainError(ErrorCode.EmailTaken, 'An account with this email already exists');
    }
    const user = this.users.create({
      email,
      passwordHash: input.passwordHash,
      roles: input.roles ?? [ROLE_USER],
      disabled: false,
      emailVerifiedAt: input.emailVerified ? new Date() : null,
    });
    try {
      // One INSERT, not wrapped in a transaction of its own: on SQLite that would open on the
      // connection every request shares (see Transactions).
      return await this.users.save(user, { transaction: false });
    } catch (error) {
      // Two registrations raced past the check above; the unique index decided.
      if (isDuplicateKey(error)) {
        throw new DomainError(ErrorCode.EmailTaken, 'An account with this email already exists');
      }
      throw error;
    }
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new DomainError(ErrorCode.NotFound, 'User not found');
    return user;
  }

  async list(limit: number, offset: number): Promise<{ items: User[]; total: number }> {
    const [items, total] = await this.users.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  /** `manager`: inside a transaction of the caller's (one that also ends sessions, say). */
  async setRoles(id: string, roles: string[], manager?: EntityManager): Promise<void> {
    await this.repository(manager).update({ id }, { roles, updatedAt: new Date() });
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash, updatedAt: new Date() });
  }

  /** Records that the owner proved the address; the first proof's time is kept. */
  async markEmailVerified(id: string, at = new Date()): Promise<void> {
    await this.users.update({ id, emailVerifiedAt: IsNull() }, { emailVerifiedAt: at, updatedAt: new Date() });
  }

  async setDisabled(id: string, disabled: boolean, manager?: EntityManager): Promise<void> {
    await this.repository(manager).update({ id }, { disabled, updatedAt: new Date() });
  }

  private repository(manager?: EntityManager): Repository<User> {
    return manager ? manager.getRepository(User) : this.users;
  }
}
