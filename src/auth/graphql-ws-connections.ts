import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { closeCodeOf } from '../common/filters/call-errors';
import { INVALID_ACCESS_TOKEN } from '../core/access-token';
import { extractBearerToken } from '../core/bearer-token.extractor';
import { GraphqlWsConnection, admitCaller, connectionCredentials } from '../core/call-context';
import { LiveSessions } from '../tokens/live-sessions.service';

interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** graphql-ws's server hooks that Gatehouse fills (the rest stay the host's). */
export interface GraphqlWsHooks {
  onConnect(connection: GraphqlWsConnection): Promise<boolean>;
  onClose(connection: GraphqlWsConnection): Promise<void>;
}

export interface GraphqlWsHookOptions {
  requireToken?: boolean;
  /** The host's own: false refuses the connection. */
  onConnect?(connection: GraphqlWsConnection): unknown;
  onClose?(connection: GraphqlWsConnection): unknown;
}

/**
 * GraphQL subscriptions over graphql-ws, signed in at connection init and closed when their
 * session ends:
 *
 *     GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *       driver: ApolloDriver, inject: [GraphqlWsConnections],
 *       useFactory: (connections: GraphqlWsConnections) => ({
 *         autoSchemaFile: true, subscriptions: { 'graphql-ws': connections.hooks() },
 *       }),
 *     })
 *
 * A client sends `connectionParams: { authorization: 'Bearer <token>' }`. A bad token closes the
 * connection at init (4401, with the reason); a connection whose token is revoked — on any
 * instance — or expires is closed the same way. Each subscription is checked by JwtAuthGuard.
 */
@Injectable()
export class GraphqlWsConnections {
  private readonly logger = new Logger(GraphqlWsConnections.name);
  private readonly watching = new WeakMap<GraphqlWsConnection, () => void>();
  private readonly closed = new WeakSet<GraphqlWsConnection>();

  constructor(private readonly live: LiveSessions) {}

  /**
   * `requireToken`: close a connection that presents none (default: only public operations).
   * A host's own `onConnect` and `onClose` go here too: they run after Gatehouse's (its
   * `onConnect` only for a connection Gatehouse admitted).
   */
  hooks({ requireToken = false, onConnect, onClose }: GraphqlWsHookOptions = {}): GraphqlWsHooks {
    return {
      onConnect: async (connection) =>
        (await this.connect(connection, requireToken)) &&
        (onConnect ? (await onConnect(connection)) !== false : true),
      onClose: async (connection) => {
        this.closed.add(connection);
        this.watching.get(connection)?.();
        this.watching.delete(connection);
        await onClose?.(connection);
      },
    };
  }

  private async connect(connection: GraphqlWsConnection, requireToken: boolean): Promise<boolean> {
    const credentials = connectionCredentials(connection);
    const token = extractBearerToken(credentials);
    if (!token) {
      if (credentials.headers.authorization !== undefined) {
        return this.refuse(
          connection,
          new DomainError(ErrorCode.InvalidToken, INVALID_ACCESS_TOKEN),
        );
      }
      if (!requireToken) return true;
      return this.refuse(
        connection,
        new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required'),
      );
    }
    try {
      const verified = await this.live.verify(token);
      // Closed while its token was being checked: nothing to watch.
      if (this.closed.has(connection)) return false;
      admitCaller({ holder: connection, http: false, request: credentials }, verified.caller);
      const stop = this.live.watch(verified, (why) => this.close(connection, why));
      this.watching.set(connection, stop);
      return true;
    } catch (error) {
      if (error instanceof DomainError) return this.refuse(connection, error);
      this.logger.warn({ reason: (error as Error).message }, 'subscription connection not checked');
      return this.refuse(
        connection,
        new DomainError(ErrorCode.ServiceUnavailable, 'The service is temporarily unavailable'),
      );
    }
  }

  /** Closes with the refusal's code and reason; false tells graphql-ws the init failed. */
  private refuse(connection: GraphqlWsConnection, why: DomainError): false {
    this.close(connection, why);
    return false;
  }

  private close(connection: GraphqlWsConnection, why: DomainError): void {
    const socket = (connection.extra as { socket?: ClosableSocket } | undefined)?.socket;
    socket?.close(closeCodeOf(why), why.message.slice(0, 120));
  }
}
