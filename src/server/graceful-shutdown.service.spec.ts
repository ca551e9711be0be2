import { HttpAdapterHost } from '@nestjs/core';
import { Agent, Server, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GracefulShutdownService } from './graceful-shutdown.service';

const hostFor = (server?: Server) =>
  ({ httpAdapter: server && { getHttpServer: () => server } }) as unknown as HttpAdapterHost;

describe('GracefulShutdownService', () => {
  let server: Server;
  const agent = new Agent({ keepAlive: true });

  beforeEach(async () => {
    // Answers after 300 ms: a request is still in flight when the server is closed.
    server = createServer((_req, res) => void setTimeout(() => res.end('done'), 300));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  });
  afterEach(() => {
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

  it('lets the request in flight finish, then closes its keep-alive socket', async () => {
    const answer = fetchOverKeepAlive();
    await new Promise((r) => setTimeout(r, 50));
    new GracefulShutdownService(hostFor(server)).beforeApplicationShutdown();
    const started = Date.now();
    const closed = new Promise<number>((ok) => server.close(() => ok(Date.now() - started)));

    await expect(answer).resolves.toBe('done');
    // Without the sweep the socket would idle for the 5 s keep-alive timeout first.
    expect(await closed).toBeLessThan(1_000);
  });

  it('does nothing without an HTTP server, as in the CLI commands', () => {
    expect(() => new GracefulShutdownService(hostFor()).beforeApplicationShutdown()).not.toThrow();
  });
});
