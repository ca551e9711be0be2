import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { DomainError } from '../common/errors/domain-error';
import { handshakeOf } from '../core/call-context';
import { payloadOf } from '../common/filters/call-errors';
import { GatehouseSocketOptions, SocketSessions } from './socket-sessions';

type IoServer = Server | Namespace;

/**
 * socket.io with Gatehouse at the handshake: `app.useWebSocketAdapter(new GatehouseIoAdapter(app))`.
 * A client sends its access token as `io(url, { auth: { token } })` (or an `Authorization: Bearer`
 * header where it can set one; never the query string). A bad token is refused before the
 * connection opens (`connect_error`, with `data` the HTTP body's code and message); a socket whose
 * session is revoked or whose token expires is sent an `exception` event saying why, then
 * disconnected. Each message is checked by JwtAuthGuard as a request would be.
 */
export class GatehouseIoAdapter extends IoAdapter {
  private readonly sessions: SocketSessions;
  private readonly guarded = new WeakSet<IoServer>();

  constructor(app: INestApplicationContext, options: GatehouseSocketOptions = {}) {
    super(app);
    this.sessions = new SocketSessions(app, options);
  }

  override create(
    port: number,
    options?: ServerOptions & { namespace?: string; server?: unknown },
  ): Server {
    const recovery = options?.connectionStateRecovery;
    // A socket recovered after a drop skips the middlewares by default (socket.io's
    // `skipMiddlewares`): its token, perhaps revoked meanwhile, must be checked all the same.
    const server = super.create(
      port,
      recovery
        ? { ...options, connectionStateRecovery: { ...recovery, skipMiddlewares: false } }
        : options,
    ) as IoServer;
    if (!this.guarded.has(server)) {
      this.guarded.add(server);
      server.use((socket, next) => {
        this.admit(socket).then(
          () => next(),
          (error: DomainError) =>
            next(Object.assign(new Error(error.message), { data: payloadOf(error) })),
        );
      });
    }
    return server as Server;
  }

  private async admit(socket: Socket): Promise<void> {
    const admitted = await this.sessions.admit(handshakeOf(socket));
    if (!admitted) return;
    const stop = this.sessions.watch(socket, admitted, (why) => {
      socket.emit('exception', payloadOf(why));
      socket.disconnect(true);
    });
    // The transport's close: it comes whether or not the socket got past the middlewares (a
    // client gone while its token was checked never emits 'disconnect'). And the socket's own
    // disconnect: a client may leave a namespace, and join it again, on one connection.
    if (socket.conn.readyState === 'closed') return stop();
    const end = () => {
      socket.conn.off('close', end);
      stop();
    };
    socket.conn.once('close', end);
    socket.once('disconnect', end);
  }
}
