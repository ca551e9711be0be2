import type { INestApplication } from '@nestjs/common';
import { io, Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { GatehouseIoAdapter } from '../src/sockets/io-adapter';
import { GatehouseWsAdapter } from '../src/sockets/ws-adapter';
import { LiveSessions } from '../src/tokens/live-sessions.service';
import {
  RealtimePair,
  realtimeKinds,
  startRealtimeHost,
  startRealtimePair,
  urlOf,
} from './support/realtime-host';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  REALTIME_PASSWORD,
  SignedIn,
  eventually,
  expired,
  forged,
  logout,
  secondSession,
  signIn,
} from './support/realtime-tokens';

interface Refusal {
  status: 'error';
  statusCode: number;
  code: string;
  message: string;
}

/** What a test does with a socket, whichever library opened it. */
interface TestSocket {
  /** The handler's answer, or the `exception` the server sent instead. */
  ask(event: string): Promise<{ answer?: unknown; refused?: Refusal }>;
  /** Resolves with the `exception` that preceded the server closing the socket. */
  ended(): Promise<Refusal | undefined>;
  close(): void;
}

interface Client {
  name: string;
  /**
   * Opens a socket presenting this token (or none); rejects with the handshake's refusal. With
   * `inQuery`, the token goes where Gatehouse never reads one: the URL's query string.
   */
  open(app: INestApplication, token?: string, inQuery?: boolean): Promise<TestSocket>;
  adapter(app: INestApplication, requireToken?: boolean): GatehouseIoAdapter | GatehouseWsAdapter;
}

/** A token in every query parameter a client might put it in. */
const queryOf = (token: string) => ({
  token,
  access_token: token,
  authorization: `Bearer ${token}`,
});

const socketIo: Client = {
  name: 'socket.io',
  adapter: (app, requireToken) => new GatehouseIoAdapter(app, { requireToken }),
  async open(app, token, inQuery) {
    const socket: Socket = io(await urlOf(app), {
      transports: ['websocket'],
      reconnection: false,
      ...(token === undefined ? {} : inQuery ? { query: queryOf(token) } : { auth: { token } }),
    });
    const exceptions: Refusal[] = [];
    socket.on('exception', (e: Refusal) => exceptions.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (error: Error & { data?: Refusal }) => {
        socket.close();
        reject(Object.assign(new Error(error.message), { refusal: error.data }));
      });
    });
    return {
      ask: (event) =>
        new Promise((resolve) => {
          socket.once('exception', (refused: Refusal) => resolve({ refused }));
          socket.emit(event, {}, (answer: unknown) => resolve({ answer }));
        }),
      ended: () =>
        new Promise((resolve) => socket.once('disconnect', () => resolve(exceptions.at(-1)))),
      close: () => socket.close(),
    };
  },
};

const plainWs: Client = {
  name: 'ws',
  adapter: (app, requireToken) => new GatehouseWsAdapter(app, { requireToken }),
  async open(app, token, inQuery) {
    const url = (await urlOf(app)).replace(/^http/, 'ws');
    const query =
      token !== undefined && inQuery ? `?${new URLSearchParams(queryOf(token)).toString()}` : '';
    const socket = new WebSocket(url + query, {
      headers: token === undefined || inQuery ? {} : { Authorization: `Bearer ${token}` },
    });
    const frames: unknown[] = [];
    socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString())));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('unexpected-response', (_req, res) => {
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      });
      socket.once('error', reject);
    });
    const exceptionIn = (frame: unknown) =>
      typeof frame === 'object' &&
      frame !== null &&
      (frame as { event?: string }).event === 'exception'
        ? (frame as { data: Refusal }).data
        : undefined;
    return {
      ask: (event) =>
        new Promise((resolve) => {
          socket.once('message', (raw: Buffer) => {
            const frame = JSON.parse(raw.toString()) as unknown;
            const refused = exceptionIn(frame);
            resolve(refused ? { refused } : { answer: frame });
          });
          socket.send(JSON.stringify({ event, data: {} }));
        }),
      ended: () =>
        new Promise((resolve) =>
          socket.once('close', () => resolve(frames.map(exceptionIn).filter(Boolean).at(-1))),
        ),
      close: () => socket.close(),
    };
  },
};

describe.each([
  ...realtimeKinds().flatMap((kind) =>
    [socketIo, plainWs].map((client) => ({ kind, client, how: 'per class', global: false })),
  ),
  { kind: 'sqlite' as const, client: socketIo, how: 'the global guards', global: true },
  { kind: 'sqlite' as const, client: plainWs, how: 'the global guards', global: true },
])('a gateway guarded by Gatehouse ($kind) over $client.name, $how', ({ kind, client, global }) => {
  let pair: RealtimePair;
  let app: INestApplication;
  let user: SignedIn;
  let admin: SignedIn;
  const opened: TestSocket[] = [];
  const open = async (token?: string) => {
    const socket = await client.open(app, token);
    opened.push(socket);
    return socket;
  };

  beforeAll(async () => {
    pair = await startRealtimePair(kind, { gateway: true, globalGuards: global }, (a) => {
      a.useWebSocketAdapter(client.adapter(a));
    });
    app = pair.app;
    user = await signIn(app);
    admin = await signIn(app, true);
  });
  afterEach(() => opened.splice(0).forEach((socket) => socket.close()));
  afterAll(() => pair.close());

  it('answers @CurrentUser() on a socket opened with an access token', async () => {
    const socket = await open(user.access);
    await expect(socket.ask('whoami')).resolves.toEqual({ answer: user.id });
  });

  it('refuses a missing role with FORBIDDEN, and admits the role', async () => {
    const plain = await open(user.access);
    await expect(plain.ask('admin')).resolves.toMatchObject({
      refused: { status: 'error', statusCode: 403, code: 'FORBIDDEN' },
    });
    const privileged = await open(admin.access);
    await expect(privileged.ask('admin')).resolves.toEqual({ answer: 'for admins' });
  });

  it('admits a socket without a token to @Public() handlers only', async () => {
    const socket = await open();
    await expect(socket.ask('ping')).resolves.toEqual({ answer: 'pong' });
    await expect(socket.ask('whoami')).resolves.toMatchObject({
      refused: { statusCode: 401, code: 'UNAUTHENTICATED' },
    });
  });

  it('reads no token from the query string: such a socket is anonymous', async () => {
    const socket = await client.open(app, user.access, true);
    opened.push(socket);
    await expect(socket.ask('whoami')).resolves.toMatchObject({
      refused: { statusCode: 401, code: 'UNAUTHENTICATED' },
    });
  });

  it.each([
    ['a forged token', () => forged(user.access)],
    ['an expired token', () => expired(user.access)],
    ['a refresh token', () => user.refresh],
    ['garbage', () => 'not a token'],
  ])('refuses %s at the handshake', async (_what, token) => {
    const refused = await client.open(app, token()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    if (client === socketIo) {
      expect(refused).toMatchObject({ refusal: { statusCode: 401, code: 'INVALID_TOKEN' } });
    } else {
      expect(refused).toMatchObject({ status: 401 });
    }
  });

  it('refuses a token revoked (on another instance, where there are several) at the handshake', async () => {
    const other = await signIn(app);
    await logout(pair.peer, other.access);
    await eventually(() => expect(client.open(app, other.access)).rejects.toBeInstanceOf(Error));
  });

  it('tells a socket open across a logout (on another instance, where there are several) why, and disconnects it, with no message of its own', async () => {
    const other = await signIn(app);
    const socket = await open(other.access);
    await expect(socket.ask('whoami')).resolves.toEqual({ answer: other.id });
    const ended = socket.ended();
    await logout(pair.peer, other.access);
    await expect(ended).resolves.toMatchObject({
      statusCode: 401,
      code: 'INVALID_TOKEN',
      message: 'The session ended',
    });
  });

  it.each([
    [
      'a logout of every session',
      async (peer: INestApplication, other: SignedIn) => {
        await request(peer.getHttpServer() as App)
          .post('/auth/logout-all')
          .set('Authorization', `Bearer ${other.access}`)
          .expect(200);
      },
    ],
    [
      'a password change on another device',
      async (peer: INestApplication, other: SignedIn) => {
        const laptop = await secondSession(peer, other);
        await request(peer.getHttpServer() as App)
          .post('/auth/password')
          .set('Authorization', `Bearer ${laptop}`)
          .send({ current_password: REALTIME_PASSWORD, new_password: 'a brand new long password' })
          .expect(204);
      },
    ],
    [
      'an admin disabling the account',
      async (peer: INestApplication, other: SignedIn) => {
        const admin = await signIn(peer, true);
        await request(peer.getHttpServer() as App)
          .patch(`/admin/users/${other.id}`)
          .set('Authorization', `Bearer ${admin.access}`)
          .send({ disabled: true, current_password: REALTIME_PASSWORD })
          .expect(200);
      },
    ],
  ])('ends a socket whose session ends by %s', async (_how, end) => {
    const other = await signIn(app);
    const socket = await open(other.access);
    await expect(socket.ask('whoami')).resolves.toEqual({ answer: other.id });
    const ended = socket.ended();
    await end(pair.peer, other);
    await expect(ended).resolves.toMatchObject({ statusCode: 401, code: 'INVALID_TOKEN' });
  });

  it('keeps other sessions’ sockets open', async () => {
    const stays = await open(user.access);
    const other = await signIn(app);
    const goes = await open(other.access);
    const ended = goes.ended();
    await logout(pair.peer, other.access);
    await ended;
    await expect(stays.ask('whoami')).resolves.toEqual({ answer: user.id });
  });
});

describe.each([socketIo, plainWs])('requireToken over $name', (client) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startRealtimeHost({ gateway: true }, (a) => {
      a.useWebSocketAdapter(client.adapter(a, true));
    });
  });
  afterAll(() => app.close());

  it('refuses a socket without a token at the handshake', async () => {
    const refused = await client.open(app).catch((e: unknown) => e);
    if (client === socketIo) {
      expect(refused).toMatchObject({ refusal: { statusCode: 401, code: 'UNAUTHENTICATED' } });
    } else {
      expect(refused).toMatchObject({ status: 401 });
    }
    const user = await signIn(app);
    const socket = await client.open(app, user.access);
    await expect(socket.ask('whoami')).resolves.toEqual({ answer: user.id });
    socket.close();
  });
});

/**
 * socket.io's connection state recovery hands a returning client its old socket and writes the
 * packets it missed before any middleware runs: a client whose session was revoked while away
 * would get them. The adapter refuses to start with it, whichever way it was turned on.
 */
describe('socket.io connection state recovery', () => {
  it.each([
    ['on the gateway', { gateway: true, gatewayOptions: { connectionStateRecovery: {} } }],
    [
      'on a namespaced gateway',
      { gateway: true, gatewayOptions: { namespace: 'chat', connectionStateRecovery: {} } },
    ],
  ])('stops the application at boot when it is on (%s)', async (_where, options) => {
    await expect(
      startRealtimeHost(options, (a) => {
        a.useWebSocketAdapter(new GatehouseIoAdapter(a));
      }),
    ).rejects.toThrow(/turn socket\.io's connectionStateRecovery off/);
  });
});

/**
 * A socket.io client may leave a namespace and join it again over one connection: each socket's
 * watch ends with the socket, not only with the connection.
 */
describe('a socket.io connection that leaves and joins again', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startRealtimeHost({ gateway: true }, (a) => {
      a.useWebSocketAdapter(new GatehouseIoAdapter(a));
    });
  });
  afterAll(() => app.close());

  it('watches only the sockets still joined', async () => {
    const user = await signIn(app);
    const sessions = app.get(LiveSessions, { strict: false });
    // socket.io's own protocol over one WebSocket: 40 joins the main namespace, 41 leaves it.
    const url = `${(await urlOf(app)).replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const raw = new WebSocket(url);
    const frames: string[] = [];
    const next = (prefix: string) =>
      eventually(() => {
        const index = frames.findIndex((frame) => frame.startsWith(prefix));
        expect(index).toBeGreaterThanOrEqual(0);
        frames.splice(0, index + 1);
        return Promise.resolve();
      });
    raw.on('message', (data: Buffer) => frames.push(data.toString()));
    try {
      await next('0{');
      for (let round = 0; round < 5; round++) {
        raw.send(`40${JSON.stringify({ token: user.access })}`);
        await next('40{');
        await eventually(() => Promise.resolve(expect(sessions.size).toBe(1)));
        raw.send('41');
        await eventually(() => Promise.resolve(expect(sessions.size).toBe(0)));
      }
      expect(raw.readyState).toBe(WebSocket.OPEN);
    } finally {
      raw.close();
    }
  });
});

describe('a socket.io gateway declared on the "/" namespace', () => {
  let app: INestApplication;

  beforeAll(async () => {
    // Nest hands the adapter the server, then `of('/')`: the same main namespace, guarded once.
    app = await startRealtimeHost({ gateway: true, gatewayOptions: { namespace: '/' } }, (a) => {
      a.useWebSocketAdapter(new GatehouseIoAdapter(a));
    });
  });
  afterAll(() => app.close());

  it('checks and watches each socket once', async () => {
    const user = await signIn(app);
    const socket = await socketIo.open(app, user.access);
    try {
      await expect(socket.ask('whoami')).resolves.toEqual({ answer: user.id });
      expect(app.get(LiveSessions, { strict: false }).size).toBe(1);
    } finally {
      socket.close();
    }
  });
});
