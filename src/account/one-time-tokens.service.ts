import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { In, IsNull, MoreThan, Repository } from 'typeorm';
import { OneTimeToken, OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';

/** 32 random bytes in base64url: what every one-time token looks like. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const hashOneTimeToken = (token: string): string =>
  createHash('sha256').update(token).digest('base64url');

export interface IssueOptions {
  /** Void the user's unspent tokens of this purpose first (default true): only the last link works. */
  exclusive?: boolean;
  /**
   * Issue nothing (and return undefined) when a token of this purpose went out less than this
   * long ago: a mailbox cannot be flooded through the resend and forgot endpoints.
   */
  cooldownSeconds?: number;
}

/** Single-use tokens for mailed links and the two-factor step, stored as their SHA-256 only. */
@Injectable()
export class OneTimeTokensService {
  constructor(@InjectRepository(OneTimeToken) private readonly tokens: Repository<OneTimeToken>) {}

  async issue(
    userId: string,
    purpose: OneTimeTokenPurpose,
    ttlSeconds: number,
    { exclusive = true, cooldownSeconds = 0 }: IssueOptions = {},
    now = Date.now(),
  ): Promise<string | undefined> {
    if (cooldownSeconds > 0) {
      const recent = await this.tokens.existsBy({
        userId,
        purpose,
        usedAt: IsNull(),
        createdAt: MoreThan(new Date(now - cooldownSeconds * 1000)),
      });
      if (recent) return undefined;
    }
    if (exclusive) await this.voidUnspent(userId, [purpose], now);
    const token = randomBytes(32).toString('base64url');
    await this.tokens.insert({
      id: randomUUID(),
      tokenHash: hashOneTimeToken(token),
      purpose,
      userId,
      createdAt: new Date(now),
      expiresAt: new Date(now + ttlSeconds * 1000),
      usedAt: null,
    });
    return token;
  }

  /** The token's row if it could be spent now (unknown, spent, voided and expired: undefined). */
  async peek(
    token: string,
    purpose: OneTimeTokenPurpose,
    now = Date.now(),
  ): Promise<OneTimeToken | undefined> {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return undefined;
    const row = await this.tokens.findOneBy({ tokenHash: hashOneTimeToken(token), purpose });
    if (!row || row.usedAt !== null || row.expiresAt.getTime() <= now) return undefined;
    return row;
  }

  /** Spends the token: {@link peek}, then {@link spend}. */
  async consume(
    token: string,
    purpose: OneTimeTokenPurpose,
    now = Date.now(),
  ): Promise<OneTimeToken | undefined> {
    const row = await this.peek(token, purpose, now);
    return row && this.spend(row, now);
  }

  /**
   * Spends a row {@link peek} returned, for callers that check something else in between: the
   * row, for the one caller whose conditional UPDATE marked it used, else undefined. Two requests
   * racing with one token cannot both succeed.
   */
  async spend(row: OneTimeToken, now = Date.now()): Promise<OneTimeToken | undefined> {
    const { affected } = await this.tokens.update(
      { id: row.id, usedAt: IsNull(), expiresAt: MoreThan(new Date(now)) },
      { usedAt: new Date(now) },
    );
    return affected === 1 ? { ...row, usedAt: new Date(now) } : undefined;
  }

  /** Voids a user's unspent tokens (of the given purposes, or all): after a reset, say. */
  async voidUnspent(
    userId: string,
    purposes: OneTimeTokenPurpose[] = Object.values(OneTimeTokenPurpose),
    now = Date.now(),
  ): Promise<number> {
    const { affected } = await this.tokens.update(
      { userId, purpose: In(purposes), usedAt: IsNull() },
      { usedAt: new Date(now) },
    );
    return affected ?? 0;
  }
}
