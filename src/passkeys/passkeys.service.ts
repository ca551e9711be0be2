import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { Passkey } from './entities/passkey.entity';

/** How many passkeys one account may hold: every registration lists them all to the browser. */
export const MAX_PASSKEYS = 25;

/** base64url SHA-256 of a credential id: how a passkey is found, and what makes it one account's. */
export const credentialHash = (credentialId: string) =>
  createHash('sha256').update(credentialId).digest('base64url');

/** The passkey rows of accounts: listed, named, found by credential, removed. */
@Injectable()
export class PasskeysService {
  constructor(@InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>) {}

  list(userId: string): Promise<Passkey[]> {
    return this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  count(userId: string): Promise<number> {
    return this.passkeys.countBy({ userId });
  }

  exists(id: string): Promise<boolean> {
    return this.passkeys.existsBy({ id });
  }

  findByCredential(credentialId: string): Promise<Passkey | null> {
    return this.passkeys.findOneBy({ credentialHash: credentialHash(credentialId) });
  }

  /** One of the account's passkeys; 404 for another account's as for none. */
  async get(userId: string, id: string): Promise<Passkey> {
    const passkey = await this.passkeys.findOneBy({ id, userId });
    if (!passkey) throw new DomainError(ErrorCode.NotFound, 'Passkey not found');
    return passkey;
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey> {
    const passkey = await this.get(userId, id);
    await this.passkeys.update({ id, userId }, { name });
    return { ...passkey, name };
  }

  /** Deletes it; false when it was gone already (removed meanwhile by another request). */
  async delete(userId: string, id: string): Promise<boolean> {
    const { affected } = await this.passkeys.delete({ id, userId });
    return (affected ?? 0) > 0;
  }

  /**
   * Records a verified use: the new signature counter and when. Conditional, so two answers
   * racing with one counter value cannot both pass: the counter must move forward, or stay at 0
   * for an authenticator that keeps none. False when it did not (a clone, or a replay).
   */
  async recordUse(passkey: Passkey, newCounter: number, now = new Date()): Promise<boolean> {
    const query = this.passkeys
      .createQueryBuilder()
      .update(Passkey)
      .set({ counter: newCounter, lastUsedAt: now })
      .where('id = :id', { id: passkey.id });
    const { affected } =
      newCounter === 0
        ? await query.andWhere('counter = 0').execute()
        : await query.andWhere('counter < :counter', { counter: newCounter }).execute();
    return affected === 1;
  }
}
