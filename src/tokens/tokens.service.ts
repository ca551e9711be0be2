import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { Transactions } from '../database/transactions.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { AuthConfig } from '../config/auth.config';
import { ClientInfo } from '../core/client-info';
import { TokenPairResponse } from './dto/token-pair.response';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { MAX_TOKEN_LENGTH } from '../core/access-token';
import { TokenClaims } from './token-claims';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';

/** The subject a token pair is issued to. */
export interface TokenSubject {
  id: string;
  roles: string[];
  /** The host's own claims for `@CurrentUser()` (UserStore's `claims`): access tokens only. */
  claims?: Record<string, unknown>;
}

const INVALID_REFRESH = 'The refresh token is invalid, expired or revoked';

/** Inside a rotation: the old token was spent by someone else first. */
class AlreadySpent extends Error {}

/** Issues access + refresh token pairs and rotates refresh tokens. */
@Injectable()
export class TokensService {
  private readonly auth: AuthConfig;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly signer: TokenSigner,
    private readonly revocation: TokenRevocationService,
    private readonly transactions: Transactions,
    config: GatehouseConfig,
    private readonly audit: AuditLog,
  ) {
    this.auth = config.get('auth', { infer: true });
  }

  /**
   * Starts a session (a new token family, `familyId`) and issues its first pair: the session row
   * and both token rows in one transaction, so a crash leaves all three or none.
   */
  async startSession(
    subject: TokenSubject,
    client: ClientInfo,
    familyId: string = randomUUID(),
    /** The passkey that signed the session in, if one did. */
    passkeyId: string | null = null,
  ): Promise<TokenPairResponse> {
    // A new session is a sign-in: its time is the session's auth_time from now on.
    const issued = this.issuePair(subject, client, familyId, Math.floor(Date.now() / 1000));
    await this.transactions.run(async (manager) => {
      await manager.insert(Session, {
        id: familyId,
        userId: subject.id,
        createdAt: issued.issuedAt,
        lastUsedAt: issued.issuedAt,
        expiresAt: issued.refreshExpiresAt,
        userAgent: client.userAgent,
        ip: client.ip,
        passkeyId,
        revoked: false,
        revokedAt: null,
        revokedReason: null,
      });
      await manager.insert(Token, issued.rows);
    });
    return issued.pair;
  }

  /** Signs a pair in the given family, and the two rows that make it valid once stored. */
  private issuePair(
    subject: TokenSubject,
    client: ClientInfo,
    familyId: string,
    authTime: number | undefined,
  ) {
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const claims = (typ: TokenType, ttl: number): TokenClaims => ({
      sub: subject.id,
      jti: randomUUID(),
      sid: familyId,
      typ,
      roles: subject.roles,
      iat,
      exp: iat + ttl,
      iss: this.auth.issuer,
      aud: this.auth.audience,
      ...(authTime !== undefined ? { auth_time: Math.min(authTime, iat) } : {}),
    });
    const access: TokenClaims = { ...claims(TokenType.Access, this.auth.accessTtlSeconds) };
    if (subject.claims && Object.keys(subject.claims).length > 0) access.ctx = subject.claims;
    const refresh = claims(TokenType.Refresh, this.auth.refreshTtlSeconds);
    const row = (c: TokenClaims) =>
      this.tokens.create({
        jti: c.jti,
        userId: c.sub,
        type: c.typ,
        familyId,
        issuedAt: new Date(now),
        expiresAt: new Date(c.exp * 1000),
        revoked: false,
        revokedAt: null,
        revokedReason: null,
        userAgent: client.userAgent,
        ip: client.ip,
      });
    const accessToken = this.signer.sign(access);
    if (accessToken.length > MAX_TOKEN_LENGTH) {
      // Issued, it would be refused by every check: say why here, where the cause is known.
      throw new Error(
        `AuthModule: the access token would be ${accessToken.length} characters, over ${MAX_TOKEN_LENGTH}: users.claims puts too much in it`,
      );
    }
    const pair: TokenPairResponse = {
      access_token: accessToken,
      refresh_token: this.signer.sign(refresh),
      token_type: 'Bearer',
      expires_in: this.auth.accessTtlSeconds,
      refresh_expires_in: this.auth.refreshTtlSeconds,
    };
    return {
      pair,
      rows: [row(access), row(refresh)],
      issuedAt: new Date(now),
      refreshExpiresAt: new Date(refresh.exp * 1000),
    };
  }

  /** The claims of a validly signed, unexpired refresh token; whether it is live is not checked. */
  identifyRefreshToken(token: string): TokenClaims | undefined {
    return this.signer.verify(token, TokenType.Refresh);
  }

  /**
   * Exchanges a refresh token for a new pair in the same family (RFC 9700 §4.14.2).
   *
   * One transaction, in the order every transaction on a session takes: the session row (still
   * live), then `UPDATE … WHERE jti = ? AND revoked = false` on the old token, then the new pair.
   * Two refreshes of one token therefore queue on the session row rather than deadlock; the
   * second finds the token spent, rolls back, and is handled as reuse: the whole family is
   * revoked, the first one's new pair included. A crash leaves the old token live and no new
   * pair, or the new pair and the old token spent: never both live.
   */
  async rotate(
    refreshToken: string,
    resolveSubject: (userId: string) => Promise<TokenSubject | undefined>,
    client: ClientInfo,
  ): Promise<TokenPairResponse> {
    const claims = this.signer.verify(refreshToken, TokenType.Refresh);
    if (!claims) throw this.invalid('signature, claims or expiry');
    const row = await this.tokens.findOneBy({ jti: claims.jti });
    if (
      !row ||
      row.type !== TokenType.Refresh ||
      row.userId !== claims.sub ||
      row.familyId !== claims.sid
    ) {
      throw this.invalid('unknown refresh token');
    }
    if (row.expiresAt.getTime() <= Date.now()) throw this.invalid('expired refresh token');
    if (row.revoked) return this.onReuse(row, client);

    const subject = await resolveSubject(row.userId);
    if (!subject) {
      await this.revocation.revokeFamily(row.familyId, RevocationReason.UserDisabled);
      throw this.invalid('user missing or disabled');
    }
    // Not a sign-in: the new pair keeps the time of the one that started the session.
    const issued = this.issuePair(subject, client, row.familyId, claims.auth_time);
    const outcome = await this.transactions
      .run(async (manager) => {
        const session = await manager.update(
          Session,
          { id: row.familyId, revoked: false },
          {
            lastUsedAt: issued.issuedAt,
            expiresAt: issued.refreshExpiresAt,
            userAgent: client.userAgent,
            ip: client.ip,
          },
        );
        if (session.affected !== 1) return 'session ended' as const;
        const spent = await manager.update(
          Token,
          { jti: row.jti, revoked: false },
          { revoked: true, revokedAt: issued.issuedAt, revokedReason: RevocationReason.Rotated },
        );
        // Thrown to roll the session's update back; caught just below.
        if (spent.affected !== 1) throw new AlreadySpent();
        await manager.insert(Token, issued.rows);
        return 'rotated' as const;
      })
      .catch((error: unknown) => {
        if (error instanceof AlreadySpent) return 'spent' as const;
        throw error;
      });
    if (outcome === 'session ended') throw this.invalid('session ended');
    if (outcome === 'spent') {
      // Spent by someone else since we read it: read it again to see by what.
      const spent = await this.tokens.findOneBy({ jti: row.jti });
      if (!spent) throw this.invalid('unknown refresh token');
      return this.onReuse(spent, client);
    }
    this.audit.record('refresh', { ...client, userId: row.userId, sessionId: row.familyId });
    return issued.pair;
  }

  private async onReuse(row: Token, client: ClientInfo): Promise<never> {
    if (row.revokedReason !== null && row.revokedReason !== RevocationReason.Rotated) {
      // The session already ended (logout, admin, …): nothing more to revoke, nothing to flag.
      throw this.invalid(`refresh token revoked: ${row.revokedReason}`);
    }
    const count = await this.revocation.revokeFamily(row.familyId, RevocationReason.ReuseDetected);
    // Warn: a replayed refresh token means it leaked, or a client is badly broken.
    this.audit.warn('refresh.reuse_detected', {
      ...client,
      userId: row.userId,
      sessionId: row.familyId,
      revokedTokens: count,
    });
    throw new DomainError(
      ErrorCode.RefreshTokenReused,
      'This refresh token was already used; the session has been revoked',
    );
  }

  private invalid(reason: string): DomainError {
    return new DomainError(ErrorCode.InvalidRefreshToken, INVALID_REFRESH, undefined, reason);
  }
}
