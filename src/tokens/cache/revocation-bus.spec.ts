import { Test, TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { loadTokensConfig } from '../../config/tokens.config';
import { testAuthConfig, testConfigModule } from '../../../test/support/unit';
import { waitFor } from '../../../test/support/processes';
import { RedisModule } from '../../redis/redis.module';
import { TokenType } from '../entities/token.entity';
import { TokenState } from '../token-state';
import { RevocationBus } from './revocation-bus';
import { SharedTokenStateStore } from './shared-token-state.store';
import { TokenStateCache } from './token-state.cache';

const state = (jti: string): TokenState => ({
  jti,
  type: TokenType.Access,
  userId: 'u',
  familyId: 'f',
  expiresAt: Date.now() + 60_000,
  revoked: false,
  userDisabled: false,
});

async function instance(env: Record<string, string>): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [...(await testConfigModule(testAuthConfig(), loadTokensConfig(env))), RedisModule],
    providers: [TokenStateCache, SharedTokenStateStore, RevocationBus],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

const cached = (m: TestingModule, jti: string) => m.get(TokenStateCache).get(jti) !== undefined;
const fill = (m: TestingModule, s: TokenState) => {
  const cache = m.get(TokenStateCache);
  cache.set(s, cache.begin());
};

describe('RevocationBus without Redis', () => {
  it('drops revoked tokens from the local cache at once', async () => {
    const m = await instance({});
    fill(m, state('a'));
    expect(cached(m, 'a')).toBe(true);
    await m.get(RevocationBus).publish([state('a')]);
    expect(cached(m, 'a')).toBe(false);
    await m.close();
  });
});

describe('RevocationBus with an unreachable Redis', () => {
  it('never trusts its cache', async () => {
    const m = await instance({ REDIS_URL: 'redis://127.0.0.1:1' });
    fill(m, state('a'));
    expect(cached(m, 'a')).toBe(false);
    await expect(m.get(SharedTokenStateStore).get('a')).resolves.toBeUndefined();
    await expect(m.get(RevocationBus).publish([state('a')])).resolves.toBeUndefined();
    await m.close();
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('REQUIRE_SERVICES=1 but TEST_REDIS_URL is not set');
}

// The shared-Redis cases exist only where a Redis is configured (always in CI).
if (redisUrl) {
  describe('RevocationBus and SharedTokenStateStore on Redis', () => {
    const env = () => ({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `gh-unit-${randomBytes(4).toString('hex')}:`,
    });

    it('carries a revocation from one instance to the cache of another', async () => {
      const shared = env();
      const [x, y] = await Promise.all([instance(shared), instance(shared)]);
      try {
        await waitFor(
          () => Promise.resolve(y.get(TokenStateCache).isTrusted),
          5000,
          'y subscribed',
        );
        fill(y, state('t1'));
        expect(cached(y, 't1')).toBe(true);
        await x.get(RevocationBus).publish([state('t1')]);
        await waitFor(() => Promise.resolve(!cached(y, 't1')), 1000, 'y dropped t1');
        expect(await y.get(SharedTokenStateStore).get('t1')).toMatchObject({ revoked: true });
      } finally {
        await Promise.all([x.close(), y.close()]);
      }
    });

    it('never lets a fill overwrite a revoked marker', async () => {
      const m = await instance(env());
      try {
        const store = m.get(SharedTokenStateStore);
        await store.markRevoked([state('t2')]);
        store.fill(state('t2'));
        await new Promise((r) => setTimeout(r, 50));
        expect(await store.get('t2')).toMatchObject({ revoked: true });
        store.fill(state('t3'));
        await waitFor(async () => (await store.get('t3')) !== undefined, 1000, 'fill of t3');
        expect(await store.get('t3')).toMatchObject({ revoked: false });
      } finally {
        await m.close();
      }
    });
  });
}
