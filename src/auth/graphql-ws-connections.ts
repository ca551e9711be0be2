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
  onClose(connection: GraphqlWsConnection): void;
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

  constructor(private readonly live: LiveSessions) {}

  /** `requireToken`: close a connection that presents none (default: only public operations). */
  hooks({ requireToken = false }: { requireToken?: boolean } = {}): GraphqlWsHooks {
    return {
      onConnect: (connection) => this.connect(connection, requireToken),
      onClose: (connection) => {
        this.watching.get(connection)?.();
        this.watching.delete(connection);
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
      const { caller, claims } = await this.live.verify(token);
      admitCaller({ holder: connection, http: false, request: credentials }, caller);
      const stop = this.live.watch(claims, (why) => this.close(connection, why));
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
