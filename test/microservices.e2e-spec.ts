import type { INestApplication } from '@nestjs/common';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { freePort } from './support/processes';
import { RealtimePair, realtimeKinds, startRealtimePair } from './support/realtime-host';
import { SignedIn, eventually, expired, forged, logout, signIn } from './support/realtime-tokens';

/** Where the transport listens: a free TCP port, or the Redis of the tests. */
async function transportOptions(transport: 'TCP' | 'Redis'): Promise<{
  transport: Transport.TCP | Transport.REDIS;
  options: { host: string; port: number };
}> {
  if (transport === 'TCP') {
    return { transport: Transport.TCP, options: { host: '127.0.0.1', port: await freePort() } };
  }
  const redis = new URL(process.env.TEST_REDIS_URL as string);
  return {
    transport: Transport.REDIS,
    options: {
      host: redis.hostname,
      port: Number(redis.port || 6379),
      ...(redis.username ? { username: decodeURIComponent(redis.username) } : {}),
      ...(redis.password ? { password: decodeURIComponent(redis.password) } : {}),
    },
  };
}

/**
 * A host's message handlers over Nest's TCP transport (and its Redis transport), in a hybrid app,
 * guarded with the names it uses for HTTP: the token in the message's `authorization` field,
 * refusals as RpcException errors carrying Gatehouse's code.
 */
describe.each([
  ...realtimeKinds().map((kind) => ({
    kind,
    transport: 'TCP' as const,
    how: 'per class, the app config inherited',
    global: false,
  })),
  {
    kind: 'sqlite' as const,
    transport: 'TCP' as const,
    how: 'the global guards, the app config not inherited',
    global: true,
  },
  // The Redis transport where the tests have a Redis (always on CI). Its channels are the
  // patterns themselves: one test run at a time per Redis, as on CI.
  ...(process.env.TEST_REDIS_URL
    ? [
        {
          kind: 'sqlite' as const,
          transport: 'Redis' as const,
          how: 'the global guards',
          global: true,
        },
      ]
    : []),
])(
  'message handlers guarded by Gatehouse ($kind, $transport, hybrid app, $how)',
  ({ kind, transport, global }) => {
    let pair: RealtimePair;
    let app: INestApplication;
    let client: ClientProxy;
    let user: SignedIn;
    let admin: SignedIn;

    beforeAll(async () => {
      const options = await transportOptions(transport);
      pair = await startRealtimePair(
        kind,
        { microservice: true, globalGuards: global },
        async (a) => {
          a.connectMicroservice(
            options,
            // Without it, Nest applies no global guard to a hybrid app's handlers (nestjs/nest#7542).
            { inheritAppConfig: !global },
          );
          await a.startAllMicroservices();
        },
      );
      app = pair.app;
      client = ClientProxyFactory.create(options);
      await client.connect();
      user = await signIn(app);
      admin = await signIn(app, true);
    });
    afterAll(async () => {
      await client.close();
      await pair.close();
    });

    const send = (pattern: string, data: object) =>
      firstValueFrom(client.send<unknown>(pattern, data)).then(
        (answer) => ({ answer }),
        (refused: unknown) => ({ refused }),
      );
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('answers @CurrentUser() and the payload for a message with an access token', async () => {
      await expect(send('whoami', { ...bearer(user.access), n: 7 })).resolves.toEqual({
        answer: { id: user.id, n: 7 },
      });
    });

    it('refuses a message without a token', async () => {
      await expect(send('whoami', { n: 1 })).resolves.toEqual({
        refused: {
          status: 'error',
          statusCode: 401,
          code: 'UNAUTHENTICATED',
          message: 'A bearer access token is required',
        },
      });
    });

    it.each([
      ['a forged token', () => forged(user.access)],
      ['an expired token', () => expired(user.access)],
      ['a refresh token', () => user.refresh],
    ])('refuses %s with INVALID_TOKEN', async (_what, token) => {
      await expect(send('whoami', bearer(token()))).resolves.toMatchObject({
        refused: { statusCode: 401, code: 'INVALID_TOKEN' },
      });
    });

    it('refuses a token revoked by a logout (on another instance, where there are several)', async () => {
      const other = await signIn(app);
      await expect(send('whoami', bearer(other.access))).resolves.toMatchObject({
        answer: { id: other.id },
      });
      await logout(pair.peer, other.access);
      await eventually(() =>
        expect(send('whoami', bearer(other.access))).resolves.toMatchObject({
          refused: { code: 'INVALID_TOKEN' },
        }),
      );
    });

    it('refuses a missing role with FORBIDDEN, and admits the role', async () => {
      await expect(send('admin', bearer(user.access))).resolves.toMatchObject({
        refused: { statusCode: 403, code: 'FORBIDDEN' },
      });
      await expect(send('admin', bearer(admin.access))).resolves.toEqual({ answer: 'for admins' });
    });

    it('answers a @Public() handler without a token', async () => {
      await expect(send('ping', {})).resolves.toEqual({ answer: 'pong' });
    });
  },
);
