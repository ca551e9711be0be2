import { Injectable, Logger } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as pause } from 'node:timers/promises';
import { In, LessThan, Repository } from 'typeorm';
import type { TokensConfig } from '../config/tokens.config';
import { Session } from './entities/session.entity';
import { Token } from './entities/token.entity';
import { OneTimeToken } from './entities/one-time-token.entity';
import { RevocationOutbox } from './cache/revocation-outbox';

const MAX_IDS_PER_STATEMENT = 30_000;

export interface CleanupResult {
  tokens: number;
  sessions: number;
  /** Verification and reset links, and mfa_token ids: spent or not, expired is enough. */
  oneTimeTokens: number;
}

/**
 * Deletes token, session and one-time token rows that expired more than TOKEN_RETENTION ago.
 * Revoked rows are kept until then too: a rotated refresh token must still be recognised if it
 * is replayed.
 *
 * Deletes go in batches (TOKEN_CLEANUP_BATCH_SIZE rows per statement, by primary key, found
 * through the `expires_at` index) with a pause between them (TOKEN_CLEANUP_PAUSE), so no
 * statement holds locks for long and the requests sharing the database keep their latency.
 */
@Injectable()
export class TokenCleanupService {
  private readonly logger = new Logger(TokenCleanupService.name);
  private readonly config: TokensConfig;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(OneTimeToken) private readonly oneTimeTokens: Repository<OneTimeToken>,
    private readonly outbox: RevocationOutbox,
    config: GatehouseConfig,
  ) {
    this.config = config.get('tokens', { infer: true });
  }

  async purgeExpired(now = Date.now()): Promise<CleanupResult> {
    const cutoff = new Date(now - this.config.retentionSeconds * 1000);
    const result = {
      tokens: await this.purge(this.tokens, 'jti', cutoff),
      sessions: await this.purge(this.sessions, 'id', cutoff),
      oneTimeTokens: await this.purge(this.oneTimeTokens, 'id', cutoff),
    };
    // Left only where Redis was configured once and no longer is: nothing would deliver them.
    await this.outbox.purgeExpired(cutoff);
    this.logger.log(
      `cleanup: deleted ${result.tokens} token(s), ${result.sessions} session(s) and ` +
        `${result.oneTimeTokens} one-time token(s) expired before ${cutoff.toISOString()}`,
    );
    return result;
  }

  private async purge<E extends Token | Session | OneTimeToken>(
    repository: Repository<E>,
    key: 'jti' | 'id',
    cutoff: Date,
  ): Promise<number> {
    // PostgreSQL takes at most 65,535 parameters in a statement: the delete's ids stay well below.
    const size = Math.min(this.config.cleanupBatchSize, MAX_IDS_PER_STATEMENT);
    let deleted = 0;
    for (;;) {
      const batch = (await repository.find({
        select: { [key]: true } as never,
        where: { expiresAt: LessThan(cutoff) } as never,
        take: size,
      })) as unknown as Array<Record<string, string>>;
      if (batch.length === 0) break;
      const ids = batch.map((row) => row[key]);
      const { affected } = await repository.delete({
        [key]: In(ids),
        expiresAt: LessThan(cutoff),
      } as never);
      deleted += affected ?? 0;
      if (batch.length < size) break;
      // Let the requests this database also serves go first; a purge is never urgent.
      await pause(this.config.cleanupPauseMs);
    }
    return deleted;
  }
}
