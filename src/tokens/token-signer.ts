import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { AllConfig } from '../config';
import { TokenType } from './entities/token.entity';
import { MAX_TOKEN_LENGTH, TokenClaims, parseClaims } from './token-claims';

/**
 * Signs and verifies Gatehouse JWTs. The algorithm, issuer and audience are pinned in the
 * JwtModule options (see TokensModule); nothing in a token's header can change them.
 */
@Injectable()
export class TokenSigner {
  private readonly leewaySeconds: number;

  constructor(
    private readonly jwt: JwtService,
    config: ConfigService<AllConfig, true>,
  ) {
    this.leewaySeconds = config.get('auth', { infer: true }).clockToleranceSeconds;
  }

  sign(claims: TokenClaims): string {
    return this.jwt.sign({ ...claims });
  }

  /** The claims of a valid token of the expected type, or undefined: never throws on bad input. */
  async verify(token: string, expected: TokenType): Promise<TokenClaims | undefined> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    try {
      const payload = await this.jwt.verifyAsync<object>(token);
      return parseClaims(payload, expected, { now: Date.now(), leewaySeconds: this.leewaySeconds });
    } catch {
      return undefined;
    }
  }
}
