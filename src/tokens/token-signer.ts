import { Injectable } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { signCompact, verifyCompact } from '../keys/jws';
import { SigningKeys } from '../keys/signing-keys.service';
import { TokenType } from './entities/token.entity';
import { MAX_TOKEN_LENGTH, TokenClaims, checkRegisteredClaims, parseClaims } from './token-claims';

/**
 * Signs and verifies Gatehouse JWTs. The algorithm, issuer and audience come from configuration
 * and are pinned on both sides (RFC 8725 §3.1); nothing in a token's header can change them, and
 * its `kid` can only choose among the keys SigningKeys publishes.
 */
@Injectable()
export class TokenSigner {
  private readonly clock: { issuer: string; audience: string; leewaySeconds: number };

  constructor(
    private readonly keys: SigningKeys,
    config: GatehouseConfig,
  ) {
    const auth = config.get('auth', { infer: true });
    this.clock = { issuer: auth.issuer, audience: auth.audience, leewaySeconds: auth.clockToleranceSeconds };
  }

  sign(claims: TokenClaims): string {
    return signCompact({ ...claims }, this.keys.signing());
  }

  /** The claims of a valid token of the expected type, or undefined: never throws on bad input. */
  verify(token: string, expected: TokenType): TokenClaims | undefined {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const now = Date.now();
    const payload = verifyCompact(token, this.keys.algorithm, (kid) => this.keys.verificationKey(kid, now));
    if (!payload || !checkRegisteredClaims(payload, { ...this.clock, now })) return undefined;
    return parseClaims(payload, expected, { now, leewaySeconds: this.clock.leewaySeconds });
  }
}
