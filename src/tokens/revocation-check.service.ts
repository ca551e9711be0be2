import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { Token, TokenType } from './entities/token.entity';
import { TokenClaims } from './token-claims';

export const INVALID_ACCESS_TOKEN = 'The access token is invalid, expired or revoked';

/**
 * The per-request half of revocation. A bearer token whose signature and claims are valid is still
 * refused unless its `jti` names a row in the token store that is an access token of the same user
 * and session, not revoked and not expired. The lookup is by primary key; every request pays one
 * indexed read, so a revocation is seen by the very next request on every instance sharing the
 * database.
 */
@Injectable()
export class RevocationCheckService {
  constructor(@InjectRepository(Token) private readonly tokens: Repository<Token>) {}

  async assertActive(claims: TokenClaims, now = Date.now()): Promise<void> {
    const row = await this.tokens.findOne({
      where: { jti: claims.jti },
      select: {
        jti: true,
        type: true,
        userId: true,
        familyId: true,
        revoked: true,
        expiresAt: true,
      },
    });
    const reason = !row
      ? 'unknown jti'
      : row.revoked
        ? 'revoked'
        : row.expiresAt.getTime() <= now
          ? 'expired'
          : row.type !== TokenType.Access ||
              row.userId !== claims.sub ||
              row.familyId !== claims.sid
            ? 'claims do not match the stored token'
            : undefined;
    if (reason) {
      throw new DomainError(ErrorCode.InvalidToken, INVALID_ACCESS_TOKEN, undefined, reason);
    }
  }
}
