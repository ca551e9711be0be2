import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, LessThan, MoreThan, Repository } from 'typeorm';
import { RedisService } from '../../redis/redis.service';
import { RevocationOutboxEntry } from '../entities/revocation-outbox.entity';
import { TokenType } from '../entities/token.entity';
import { TokenState } from '../token-state';

/** Rows per statement, when writing and when reading. */
const BATCH = 500;

/**
 * The durable half of announcing a revocation (RevocationOutboxEntry): recorded in the revoking
 * transaction, read by every instance's sync, removed once delivered to Redis. Without Redis
 * there is nothing to deliver, and nothing is recorded.
 */
@Injectable()
export class RevocationOutbox {
  constructor(
    @InjectRepository(RevocationOutboxEntry)
    private readonly entries: Repository<RevocationOutboxEntry>,
    private readonly redis: RedisService,
  ) {}

  /** Inside the revoking transaction: these revocations commit with their announcement, or neither does. */
  async record(manager: EntityManager, states: TokenState[], now: Date): Promise<void> {
    if (!this.redis.enabled) return;
    for (const batch of inBatches(states)) {
      const rows = batch.map((s) => ({
        jti: s.jti,
        userId: s.userId,
        familyId: s.familyId,
        expiresAt: new Date(s.expiresAt),
        createdAt: now,
      }));
      // Ignored when already there: a repeated revocation of a token not yet delivered.
      await manager
        .createQueryBuilder()
        .insert()
        .into(RevocationOutboxEntry)
        .values(rows)
        .orIgnore()
        .execute();
    }
  }

  /** Every undelivered revocation of a token that has not expired, a batch at a time. */
  async *pending(now = new Date()): AsyncGenerator<TokenState[]> {
    // No lower bound on the first page: '' is no uuid, and PostgreSQL refuses to compare one.
    let after: string | undefined;
    for (;;) {
      const rows = await this.entries.find({
        where: {
          ...(after === undefined ? {} : { jti: MoreThan(after) }),
          expiresAt: MoreThan(now),
        },
        order: { jti: 'ASC' },
        take: BATCH,
      });
      if (rows.length === 0) return;
      yield rows.map((row) => ({
        jti: row.jti,
        type: TokenType.Access,
        userId: row.userId,
        familyId: row.familyId,
        expiresAt: row.expiresAt.getTime(),
        revoked: true,
        userDisabled: false,
      }));
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1].jti;
    }
  }

  async remove(jtis: string[]): Promise<void> {
    for (const batch of inBatches(jtis)) await this.entries.delete({ jti: In(batch) });
  }

  /** Rows of expired tokens need no delivery: no cache holds a state past its token's expiry. */
  async purgeExpired(now = new Date()): Promise<number> {
    return (await this.entries.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}

function* inBatches<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}
