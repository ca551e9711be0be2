import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

const SWEEP_INTERVAL_MS = 50;

/**
 * Lets requests in flight at shutdown finish without their keep-alive sockets holding the
 * process open afterwards.
 *
 * Right after this hook Nest closes the HTTP server: no new connections, and Node (>= 19) closes
 * the sockets idle at that moment. A socket still busy with a request goes idle only once it has
 * answered, and would then keep `server.close()` waiting for its keep-alive timeout (5 s on
 * Express, 72 s on Fastify). Nest's `forceCloseConnections` would destroy it mid-request instead.
 * So until the server has closed, idle sockets are swept every 50 ms.
 */
@Injectable()
export class GracefulShutdownService implements BeforeApplicationShutdown {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  beforeApplicationShutdown(): void {
    // Absent in an application context without HTTP (the CLI commands).
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_INTERVAL_MS);
    sweep.unref();
    server.once('close', () => clearInterval(sweep));
  }
}
