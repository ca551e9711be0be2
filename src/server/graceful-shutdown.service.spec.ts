import { HttpAdapterHost } from '@nestjs/core';
import { Agent, Server, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../test/support/processes';
import { GracefulShutdownService } from './graceful-shutdown.service';

const hostFor = (server?: Server) =>
  ({ httpAdapter: server && { getHttpServer: () => server } }) as unknown as HttpAdapterHost;

describe('GracefulShutdownService', () => {
  let server: Server;
  const agent = new Agent({ keepAlive: true });
  /** Resolves once the server has the request in hand; `answer()` then lets it reply. */
  let received: Promise<void>;
  let answer: () => void;

  beforeEach(async () => {
    let receive!: () => void;
    received = new Promise<void>((ok) => (receive = ok));
    const replied = new Promise<void>((ok) => (answer = ok));
    server = createServer((_req, res) => {
      receive();
      void replied.then(() => res.end('done'));
    });
    // Idle keep-alive sockets would otherwise close on their own after 5 s: never, here.
    server.keepAliveTimeout = 0;
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  });
  afterEach(() => {
    jest.useRealTimers();
    agent.destroy();
    server.closeAllConnections();
    if (server.listening) server.close();
  });

  function fetchOverKeepAlive(): Promise<string> {
    const { port } = server.address() as AddressInfo;
    return new Promise((ok, fail) => {
      get({ host: '127.0.0.1', port, agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => ok(body));
      }).on('error', fail);
    });
  }

  it('lets the request in flight finish, then closes its keep-alive socket at the next sweep', async () => {
    // Only the sweep's interval is faked; sockets and their callbacks run for real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const body = fetchOverKeepAlive();
    await received;
    new GracefulShutdownService(hostFor(server)).beforeApplicationShutdown();
    let closed = false;
    server.close(() => (closed = true));

    answer();
    await expect(body).resolves.toBe('done');
    // The answered socket is idle now, and nothing but the sweep closes an idle socket here.
    await new Promise((ok) => setImmediate(ok));
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(50);
    // Real timers again for the wait on the socket's close, a real event.
    jest.useRealTimers();
    await waitFor(() => Promise.resolve(closed), 5000, 'server closed');
  });

  it('does nothing without an HTTP server, as in the CLI commands', () => {
    expect(() => new GracefulShutdownService(hostFor()).beforeApplicationShutdown()).not.toThrow();
  });
});
