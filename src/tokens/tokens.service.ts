import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { AuthConfig } from '../config';
import { ClientInfo } from './client-info';
import { TokenPairResponse } from './dto/token-pair.response';
import { Session } from './entities/session.entity';
import { RevocationReason, Token, TokenType } from './entities/token.entity';
import { TokenClaims } from './token-claims';
import { TokenRevocationService } from './token-revocation.service';
import { TokenSigner } from './token-signer';

/** The subject a token pair is issued to. */
export interface TokenSubject {
  id: string;
  roles: string[];
}

const INVALID_REFRESH = 'The refresh token is invalid, expired or revoked';

/** Issues access + refresh token pairs and rotates refresh tokens. */
@Injectable()
export class TokensService {
  private readonly auth: AuthConfig;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly signer: TokenSigner,
    private readonly revocation: TokenRevocationService,
    config: GatehouseConfig,
    private readonly audit: AuditLog,
  ) {
    this.auth = config.get('auth', { infer: true });
  }

  /** Starts a session (a new token family, `familyId`) and issues its first pair. */
  async startSession(
    subject: TokenSubject,
    client: ClientInfo,
    familyId: string = randomUUID(),
  ): Promise<TokenPairResponse> {
    const { pair, refreshExpiresAt, issuedAt } = await this.issuePair(subject, client, familyId);
    // After the tokens: should this insert fail, no token was handed out and nothing is listed.
    await this.sessions.insert({
      id: familyId,
      userId: subject.id,
      createdAt: issuedAt,
      lastUsedAt: issuedAt,
      expiresAt: refreshExpiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
      revoked: false,
      revokedAt: null,
      revokedReason: null,
    });
    return pair;
  }

  /** Signs a pair and stores both rows in one INSERT, in the given family. */
  private async issuePair(subject: TokenSubject, client: ClientInfo, familyId: string) {
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
    });
    const access = claims(TokenType.Access, this.auth.accessTtlSeconds);
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
    await this.tokens.insert([row(access), row(refresh)]);
    const pair: TokenPairResponse = {
      access_token: this.signer.sign(access),
      refresh_token: this.signer.sign(refresh),
      token_type: 'Bearer',
      expires_in: this.auth.accessTtlSeconds,
      refresh_expires_in: this.auth.refreshTtlSeconds,
    };
    return { pair, issuedAt: new Date(now), refreshExpiresAt: new Date(refresh.exp * 1000) };
  }

  /** The claims of a validly signed, unexpired refresh token; whether it is live is not checked. */
  identifyRefreshToken(token: string): TokenClaims | undefined {
    return this.signer.verify(token, TokenType.Refresh);
  }

  /**
   * Exchanges a refresh token for a new pair in the same family (RFC 9700 §4.14.2).
   *
   * The new pair is stored first and handed out only if this caller is the one whose
   * `UPDATE … WHERE jti = ? AND revoked = false` flipped the old row. Any other caller (a replay,
   * or a concurrent refresh with the same token) sees the row already revoked and revokes the
   * whole family, including the pair the winner stored before its UPDATE: so two requests with
   * one token can never leave two live families, with or without transactions.
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
    const issued = await this.issuePair(subject, client, row.familyId);
    if (!(await this.revocation.revokeIfLive(row.jti, RevocationReason.Rotated))) {
      return this.onReuse(row, client);
    }
    await this.sessions.update(
      { id: row.familyId },
      {
        lastUsedAt: issued.issuedAt,
        expiresAt: issued.refreshExpiresAt,
        userAgent: client.userAgent,
        ip: client.ip,
      },
    );
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
