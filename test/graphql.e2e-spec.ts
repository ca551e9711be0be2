import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { Client } from 'graphql-ws';
import { connectGraphqlWs, firstTick } from './support/graphql-ws-client';
import { RealtimePair, realtimeKinds, startRealtimePair, urlOf } from './support/realtime-host';
import { SignedIn, eventually, expired, forged, logout, signIn } from './support/realtime-tokens';

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/**
 * A host's resolver guarded with `@UseGuards(JwtAuthGuard, RolesGuard)` (or by the global guards
 * alone), `@Roles()`, `@Public()` and `@CurrentUser()`, over Apollo on Express and on Fastify:
 * the bearer token of the HTTP request, refusals as GraphQL errors with `extensions.code` and no
 * stack.
 */
describe.each([
  ...realtimeKinds().map((kind) => [kind, 'Express', 'per class', false, false] as const),
  ['sqlite', 'Fastify', 'per class', true, false] as const,
  ['sqlite', 'Express', 'the global guards', false, true] as const,
])(
  'GraphQL resolvers guarded by Gatehouse (%s, Apollo on %s, %s)',
  (kind, _name, _how, fastify, global) => {
    let pair: RealtimePair;
    let app: INestApplication;
    let user: SignedIn;
    let admin: SignedIn;

    beforeAll(async () => {
      pair = await startRealtimePair(
        kind,
        { graphql: true, fastify, globalGuards: global },
        async (a) => {
          if (fastify) await a.init();
        },
      );
      app = pair.app;
      if (fastify) await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
      user = await signIn(app);
      admin = await signIn(app, true);
    });
    afterAll(() => pair.close());

    async function ask(query: string, token?: string): Promise<GraphQLAnswer> {
      const call = request(app.getHttpServer() as App)
        .post('/graphql')
        .set('Content-Type', 'application/json');
      if (token) call.set('Authorization', `Bearer ${token}`);
      const res = await call.send({ query });
      return res.body as GraphQLAnswer;
    }

    const refusal = (answer: GraphQLAnswer) => {
      expect(answer.errors).toHaveLength(1);
      const [error] = answer.errors!;
      // Outside production Apollo sends a stack when the error has one: a refusal has no frames.
      const stack = (error.extensions?.stacktrace as string[] | undefined) ?? [];
      expect(stack.filter((line) => /^\s+at /.test(line))).toEqual([]);
      return { message: error.message, ...error.extensions, stacktrace: undefined };
    };

    it('answers the caller from @CurrentUser()', async () => {
      await expect(ask('{ me { id roles } }', user.access)).resolves.toEqual({
        data: { me: { id: user.id, roles: ['user'] } },
      });
    });

    it('refuses no token with UNAUTHENTICATED', async () => {
      expect(refusal(await ask('{ me { id } }'))).toMatchObject({
        code: 'UNAUTHENTICATED',
        gatehouseCode: 'UNAUTHENTICATED',
        message: 'A bearer access token is required',
      });
    });

    it.each([
      ['a forged token', () => forged(user.access)],
      ['an expired token', () => expired(user.access)],
      ['a refresh token', () => user.refresh],
      ['garbage', () => 'not.a.token'],
    ])('refuses %s with UNAUTHENTICATED (INVALID_TOKEN)', async (_what, token) => {
      expect(refusal(await ask('{ me { id } }', token()))).toMatchObject({
        code: 'UNAUTHENTICATED',
        gatehouseCode: 'INVALID_TOKEN',
        message: 'The access token is invalid, expired or revoked',
      });
    });

    it('refuses a token revoked by a logout (on another instance, where there are several)', async () => {
      const other = await signIn(app);
      await expect(ask('{ me { id } }', other.access)).resolves.toMatchObject({
        data: { me: { id: other.id } },
      });
      await logout(pair.peer, other.access);
      await eventually(async () => {
        expect(refusal(await ask('{ me { id } }', other.access))).toMatchObject({
          code: 'UNAUTHENTICATED',
          gatehouseCode: 'INVALID_TOKEN',
        });
      });
    });

    it('refuses a missing role with FORBIDDEN, and admits the role', async () => {
      expect(refusal(await ask('{ adminOnly }', user.access))).toMatchObject({
        code: 'FORBIDDEN',
        gatehouseCode: 'FORBIDDEN',
      });
      await expect(ask('{ adminOnly }', admin.access)).resolves.toEqual({
        data: { adminOnly: 'for admins' },
      });
    });

    it('answers a @Public() query without a token', async () => {
      await expect(ask('{ hello }')).resolves.toEqual({ data: { hello: 'world' } });
    });
  },
);

/**
 * Subscriptions over graphql-ws: signed in at connection init (`connectionParams`), each
 * subscription checked by the guards, and the connection closed when its session ends.
 */
describe.each([
  ...realtimeKinds().map((kind) => [kind, 'Express', false] as const),
  ['sqlite', 'Fastify', true] as const,
])('GraphQL subscriptions over graphql-ws (%s, Apollo on %s)', (kind, _name, fastify) => {
  let pair: RealtimePair;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    pair = await startRealtimePair(kind, { graphql: true, fastify }, async (a) => {
      if (fastify) await a.init();
    });
    url = (await urlOf(pair.app)).replace(/^http/, 'ws') + '/graphql';
  });
  afterEach(() => clients.splice(0).forEach((client) => void client.dispose()));
  afterAll(() => pair.close());

  /** A client, and the close event its connection ended with; disposed after each test. */
  function connect(connectionParams?: Record<string, unknown>) {
    const connection = connectGraphqlWs(url, connectionParams);
    clients.push(connection.client);
    return connection;
  }

  it('streams to a connection signed in with an access token', async () => {
    const user = await signIn(pair.app);
    const { client } = connect({ authorization: `Bearer ${user.access}` });
    await expect(firstTick(client)).resolves.toEqual({ data: { ticks: user.id } });
  });

  it.each([
    ['a forged token', (u: SignedIn) => forged(u.access)],
    ['an expired token', (u: SignedIn) => expired(u.access)],
    ['a refresh token', (u: SignedIn) => u.refresh],
  ])('closes a connection that signs in with %s at init, saying why', async (_what, token) => {
    const user = await signIn(pair.app);
    const { ended } = connect({ authorization: `Bearer ${token(user)}` });
    await expect(ended).resolves.toEqual({
      code: 4401,
      reason: 'The access token is invalid, expired or revoked',
    });
  });

  it('refuses a guarded subscription on a connection without a token', async () => {
    const { client } = connect();
    const answer = await firstTick(client);
    expect(answer.errors).toEqual([
      expect.objectContaining({
        message: 'A bearer access token is required',
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) as unknown,
      }),
    ]);
  });

  it('closes a subscription’s connection when its session ends (on another instance, where there are several)', async () => {
    const user = await signIn(pair.app);
    const { client, ended } = connect({ authorization: `Bearer ${user.access}` });
    await expect(firstTick(client)).resolves.toEqual({ data: { ticks: user.id } });
    await logout(pair.peer, user.access);
    await expect(ended).resolves.toEqual({ code: 4401, reason: 'The session ended' });
  });
});
