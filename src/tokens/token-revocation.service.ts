import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { RevocationReason, Token } from './entities/token.entity';

/** Marks tokens revoked. Every write is a single conditional UPDATE, safe under concurrency. */
@Injectable()
export class TokenRevocationService {
  private readonly logger = new Logger(TokenRevocationService.name);

  constructor(@InjectRepository(Token) private readonly tokens: Repository<Token>) {}

  /**
   * Revokes one token if it is still live. Returns true only for the caller that flipped it:
   * `UPDATE … WHERE jti = ? AND revoked = false` affects one row at most once.
   */
  async revokeIfLive(jti: string, reason: RevocationReason): Promise<boolean> {
    return (await this.revokeWhere({ jti }, reason)) === 1;
  }

  /** Revokes every live token of a session (a login and its refreshes). */
  revokeFamily(familyId: string, reason: RevocationReason): Promise<number> {
    return this.revokeWhere({ familyId }, reason);
  }

  /** Revokes every live token of a user, on every device. */
  revokeAllForUser(userId: string, reason: RevocationReason): Promise<number> {
    return this.revokeWhere({ userId }, reason);
  }

  private async revokeWhere(where: FindOptionsWhere<Token>, reason: RevocationReason) {
    const result = await this.tokens.update(
      { ...where, revoked: false },
      { revoked: true, revokedAt: new Date(), revokedReason: reason },
    );
    const count = result.affected ?? 0;
    if (count > 0) this.logger.log(`revoked ${count} token(s): ${reason}`);
    return count;
  }
}
