import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { DomainError } from '../common/errors/domain-error';
import { closeCodeOf, payloadOf, tellSocket } from '../common/filters/call-errors';
import { rememberUpgrade } from '../core/call-context';
import { Admitted, GatehouseSocketOptions, SocketSessions } from './socket-sessions';

type VerifyCallback = (
  result: boolean,
  code?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;
interface VerifyInfo {
  origin: string;
  secure: boolean;
  req: IncomingMessage;
}
/** ws's verifyClient: `(info) => boolean`, or `(info, done) => void`. */
type HostVerifyClient =
  ((info: VerifyInfo) => boolean) | ((info: VerifyInfo, done: VerifyCallback) => void);

/**
 * The plain `ws` adapter with Gatehouse at the handshake: `app.useWebSocketAdapter(new
 * GatehouseWsAdapter(app))`. A client sends `Authorization: Bearer <token>` with the upgrade
 * request (never the query string). A bad token is refused before the upgrade (HTTP 401); a socket
 * whose session is revoked or whose token expires is sent `{ event: 'exception', data }` saying
 * why, then closed (4401). Each message is checked by JwtAuthGuard as a request would be, and Nest's
 * `ws` sockets, which keep no request, get their upgrade request remembered for it.
 */
export class GatehouseWsAdapter extends WsAdapter {
  private readonly sessions: SocketSessions;
  private readonly admitted = new WeakMap<IncomingMessage, Admitted>();

  constructor(app: INestApplicationContext, options: GatehouseSocketOptions = {}) {
    super(app);
    this.sessions = new SocketSessions(app, options);
  }

  // Nest's own signatures (ws's server as any): the published types need no @types/ws in a host.
  override create(
    port: number,
    options: Record<string, unknown> & { namespace?: string; server?: unknown; path?: string } = {},
  ): ReturnType<WsAdapter['create']> {
    const own = options.verifyClient as HostVerifyClient | undefined;
    return super.create(port, {
      ...options,
      // ws calls it before the upgrade: a refused client never has an open socket. The gateway's
      // own check (an Origin list, a limit) comes first, in either of ws's forms.
      verifyClient: (info: VerifyInfo, done: VerifyCallback) => {
        const gatehouse = () =>
          this.sessions.admit(info.req).then(
            (admitted) => {
              if (admitted) this.admitted.set(info.req, admitted);
              done(true);
            },
            (error: DomainError) => done(false, error.status, error.message),
          );
        if (!own) return void gatehouse();
        if (own.length < 2) {
          return (own as (info: VerifyInfo) => boolean)(info) ? void gatehouse() : done(false, 401);
        }
        own(info, (result, code, message, headers) =>
          result ? void gatehouse() : done(false, code ?? 401, message, headers),
        );
      },
    });
  }

  override bindClientConnect(
    server: Parameters<WsAdapter['bindClientConnect']>[0],
    callback: (...args: unknown[]) => void,
  ): void {
    (server as WebSocketServer).on('connection', (socket: WebSocket, request: IncomingMessage) => {
      rememberUpgrade(socket, request);
      sendExceptions(socket);
      const admitted = this.admitted.get(request);
      if (admitted) {
        const stop = this.sessions.watch(socket, admitted, (why) => {
          tellSocket(socket, payloadOf(why));
          socket.close(closeCodeOf(why), why.message.slice(0, 120));
        });
        socket.once('close', stop);
      }
      callback(socket, request);
    });
  }
}

/**
 * Nest's WebSocket exception filter tells a client with `client.emit('exception', …)`, which on a
 * `ws` socket is a server-side event no client hears: each one is also sent to the client, as
 * `{ event: 'exception', data }`, the frame shape of Nest's `ws` adapter.
 */
function sendExceptions(socket: WebSocket): void {
  const emit = socket.emit.bind(socket);
  socket.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'exception' && typeof args[0] === 'object' && args[0] !== null) {
      tellSocket(socket, args[0]);
    }
    return emit(event, ...args);
  };
}
