import { Token, TokenType } from './entities/token.entity';

/** What the per-request check needs to know of a token, as stored, cached and shared. */
export interface TokenState {
  jti: string;
  type: TokenType;
  userId: string;
  familyId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  revoked: boolean;
  /** The owner's account is disabled or gone, as the user store says (a disable made outside the API counts too). */
  userDisabled: boolean;
}

export function toTokenState(
  row: Pick<Token, 'jti' | 'type' | 'userId' | 'familyId' | 'expiresAt' | 'revoked'>,
  userDisabled = false,
): TokenState {
  return {
    jti: row.jti,
    type: row.type,
    userId: row.userId,
    familyId: row.familyId,
    expiresAt: row.expiresAt.getTime(),
    revoked: row.revoked,
    userDisabled,
  };
}
