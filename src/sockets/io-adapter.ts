import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { DomainError } from '../common/errors/domain-error';
import { handshakeOf } from '../core/call-context';
import { payloadOf } from '../common/filters/call-errors';
import { Admitted, GatehouseSocketOptions, SocketSessions } from './socket-sessions';

type IoServer = Server | Namespace;

/**
 * socket.io with Gatehouse at the handshake: `app.useWebSocketAdapter(new GatehouseIoAdapter(app))`.
 * A client sends its access token as `io(url, { auth: { token } })` (or an `Authorization: Bearer`
 * header where it can set one; never the query string). A bad token is refused before the
 * connection opens (`connect_error`, with `data` the HTTP body's code and message); a socket whose
 * session is revoked or whose token expires is sent an `exception` event saying why, then
 * disconnected. Each message is checked by JwtAuthGuard as a request would be. socket.io's
 * connection state recovery is refused at boot (see {@link refuseStateRecovery}).
 */
export class GatehouseIoAdapter extends IoAdapter {
  private readonly sessions: SocketSessions;
  private readonly guarded = new WeakSet<Namespace>();

  constructor(app: INestApplicationContext, options: GatehouseSocketOptions = {}) {
    super(app);
    this.sessions = new SocketSessions(app, options);
  }

  override create(
    port: number,
    options?: ServerOptions & { namespace?: string; server?: unknown },
  ): Server {
    const server = super.create(port, options) as IoServer;
    refuseStateRecovery(server);
    // The main namespace, whether Nest hands over the server or (a gateway on '/') `of('/')`.
    const namespace: Namespace = 'server' in server ? server : server.sockets;
    if (!this.guarded.has(namespace)) {
      this.guarded.add(namespace);
      const admitted = new WeakMap<Socket, Admitted>();
      namespace.use((socket, next) => {
        this.sessions.admit(handshakeOf(socket)).then(
          (caller) => {
            if (caller) admitted.set(socket, caller);
            next();
          },
          (error: DomainError) =>
            next(Object.assign(new Error(error.message), { data: payloadOf(error) })),
        );
      });
      // Watched once connected, past every middleware (a host's may refuse it after ours): then
      // its 'disconnect' is sure to come, when it leaves the namespace or the connection closes.
      // A revocation between the check and now is caught by the watch (its cache generation).
      namespace.on('connection', (socket: Socket) => {
        const caller = admitted.get(socket);
        if (!caller) return;
        admitted.delete(socket);
        const stop = this.sessions.watch(socket, caller, (why) => {
          socket.emit('exception', payloadOf(why));
          socket.disconnect(true);
        });
        if (socket.disconnected) stop();
        else socket.once('disconnect', stop);
      });
    }
    return server as Server;
  }
}

/**
 * socket.io's connection state recovery hands a returning client its old socket, and writes the
 * packets it missed, before any middleware runs (socket.io 4.8): a client whose session was
 * revoked while it was away would still get them. So it cannot be on with Gatehouse's adapter.
 */
function refuseStateRecovery(server: IoServer): void {
  const root = 'server' in server ? server.server : server;
  // Not in socket.io's types: the options the server was made with, a namespace's included.
  const { opts } = root as unknown as { opts?: Partial<ServerOptions> };
  if (opts?.connectionStateRecovery) {
    throw new Error(
      "GatehouseIoAdapter: turn socket.io's connectionStateRecovery off. socket.io writes the " +
        'packets a returning client missed before any middleware can check its token, so a ' +
        'client whose session was revoked while it was away would still receive them.',
    );
  }
}
