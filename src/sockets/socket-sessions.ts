import { INestApplicationContext, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { extractBearerToken } from '../core/bearer-token.extractor';
import { admitCaller } from '../core/call-context';
import type { BearerRequest } from '../core/bearer-token.extractor';
import { LiveSessions } from '../tokens/live-sessions.service';
import type { VerifiedConnection } from '../tokens/live-sessions.service';

/** A handshake's verified token, its caller, and when its check began. */
export type Admitted = VerifiedConnection;

/** What Gatehouse's WebSocket adapters take beside the application. */
export interface GatehouseSocketOptions {
  /**
   * Refuse a connection that presents no token. Default: admit it; its messages are guarded as
   * HTTP requests are (JwtAuthGuard, `@Public()`), so only public handlers answer it.
   */
  requireToken?: boolean;
}

/**
 * The handshake half of a guarded socket: the token it presents checked before it is admitted,
 * and the connection watched until its token is revoked or expires (LiveSessions). Shared by the
 * socket.io and `ws` adapters; each says how to refuse and how to end its own kind of socket.
 */
export class SocketSessions {
  private readonly logger = new Logger('GatehouseSockets');
  private live?: LiveSessions;

  constructor(
    private readonly app: INestApplicationContext,
    private readonly options: GatehouseSocketOptions = {},
  ) {}

  /**
   * The verified claims of the handshake's token; undefined for a connection without one, when
   * admitted. Throws the DomainError to refuse it with: a token that is malformed, forged,
   * expired or revoked, none where one is required, or a store that cannot answer.
   */
  async admit(credentials: BearerRequest): Promise<Admitted | undefined> {
    const token = extractBearerToken(credentials);
    if (!token) {
      if (credentials.headers.authorization !== undefined) {
        throw new DomainError(
          ErrorCode.InvalidToken,
          'The access token is invalid, expired or revoked',
        );
      }
      if (this.options.requireToken) {
        throw new DomainError(ErrorCode.Unauthenticated, 'A bearer access token is required');
      }
      return undefined;
    }
    try {
      return await this.sessions().verify(token);
    } catch (error) {
      if (error instanceof DomainError) {
        if (error.internalReason)
          this.logger.debug({ reason: error.internalReason }, 'socket refused');
        throw error;
      }
      this.logger.warn({ reason: (error as Error).message }, 'socket handshake not checked');
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        'The service is temporarily unavailable; try again shortly',
      );
    }
  }

  /**
   * Makes the socket's caller the one `@CurrentUser()` gives its handlers (public ones too), and
   * calls `end` when its token is revoked or expires; returns what stops watching.
   */
  watch(socket: object, admitted: Admitted, end: (why: DomainError) => void): () => void {
    admitCaller({ holder: socket, http: false, request: { headers: {} } }, admitted.caller);
    return this.sessions().watch(admitted, end);
  }

  private sessions(): LiveSessions {
    // Looked up on first use: an adapter is made before the application has started.
    return (this.live ??= this.app.get(LiveSessions, { strict: false }));
  }
}
