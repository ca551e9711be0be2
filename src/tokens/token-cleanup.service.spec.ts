import { Test, TestingModule } from '@nestjs/testing';
import { DataSource, Repository } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { User } from '../users/entities/user.entity';
import { Session } from './entities/session.entity';
import { Token, TokenType } from './entities/token.entity';
import { TokenCleanupService } from './token-cleanup.service';
import { TokensModule } from './tokens.module';
import { OneTimeToken, OneTimeTokenPurpose } from './entities/one-time-token.entity';

const DAY = 86_400_000;

describe('TokenCleanupService', () => {
  let moduleRef: TestingModule;
  let tokens: Repository<Token>;
  let sessions: Repository<Session>;
  let userId: string;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ...(await unitImports({ cleanupBatchSize: 4, retentionSeconds: 86_400 })),
        TokensModule,
      ],
    }).compile();
    await moduleRef.init();
    const ds = moduleRef.get(DataSource);
    tokens = ds.getRepository(Token);
    sessions = ds.getRepository(Session);
    const users = ds.getRepository(User);
    userId = (await users.save(users.create({ email: 'c@x.io', passwordHash: 'x', roles: [] }))).id;
  });
  afterEach(() => moduleRef.close());

  const seed = async (count: number, expiresAt: Date, tag: string, revoked = false) => {
    await tokens.insert(
      Array.from({ length: count }, (_, i) => ({
        jti: `${tag}-${i}`,
        userId,
        type: TokenType.Refresh,
        familyId: tag,
        issuedAt: expiresAt,
        expiresAt,
        revoked,
      })),
    );
    await sessions.insert({
      id: tag,
      userId,
      createdAt: expiresAt,
      lastUsedAt: expiresAt,
      expiresAt,
    });
  };

  it('deletes rows expired beyond the retention, in several batches, and keeps the rest', async () => {
    const now = Date.now();
    await seed(10, new Date(now - 3 * DAY), 'old');
    await seed(3, new Date(now - 3 * DAY), 'old-revoked', true);
    await seed(5, new Date(now - DAY / 2), 'within-retention');
    await seed(5, new Date(now + DAY), 'live');
    const result = await moduleRef.get(TokenCleanupService).purgeExpired(now);
    expect(result).toEqual({ tokens: 13, sessions: 2, oneTimeTokens: 0 });
    expect(await tokens.count()).toBe(10);
    expect((await sessions.find()).map((s) => s.id).sort()).toEqual(['live', 'within-retention']);
  });

  it('does nothing when nothing is old enough', async () => {
    await seed(3, new Date(Date.now() + DAY), 'live');
    await expect(moduleRef.get(TokenCleanupService).purgeExpired()).resolves.toEqual({
      tokens: 0,
      sessions: 0,
      oneTimeTokens: 0,
    });
  });

  it('deletes one-time tokens expired beyond the retention, spent or not, and keeps the rest', async () => {
    const now = Date.now();
    const oneTime = moduleRef.get(DataSource).getRepository(OneTimeToken);
    const row = (id: string, expiresAt: number, usedAt: number | null) => ({
      id,
      tokenHash: `hash-${id}`,
      purpose: OneTimeTokenPurpose.PasswordReset,
      userId,
      createdAt: new Date(expiresAt - DAY),
      expiresAt: new Date(expiresAt),
      usedAt: usedAt === null ? null : new Date(usedAt),
    });
    await oneTime.insert([
      row('old-unused', now - 3 * DAY, null),
      row('old-spent', now - 2 * DAY, now - 2.5 * DAY),
      ...Array.from({ length: 5 }, (_, i) => row(`old-${i}`, now - 4 * DAY, null)),
      row('within-retention', now - DAY / 2, null),
      row('live-spent', now + DAY, now),
    ]);
    const result = await moduleRef.get(TokenCleanupService).purgeExpired(now);
    expect(result.oneTimeTokens).toBe(7);
    expect((await oneTime.find()).map((r) => r.id).sort()).toEqual([
      'live-spent',
      'within-retention',
    ]);
  });
});
