import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export enum TokenType {
  Access = 'access',
  Refresh = 'refresh',
}

/** Why a token stopped being valid before its `exp`. */
export enum RevocationReason {
  /** The refresh token was exchanged for a new pair (RFC 9700 §4.14.2 rotation). */
  Rotated = 'rotated',
  /** A rotated refresh token came back: the whole family is presumed stolen. */
  ReuseDetected = 'reuse_detected',
  Logout = 'logout',
  /** Logged out everywhere (optionally but the current session). */
  LogoutAll = 'logout_all',
  PasswordChanged = 'password_changed',
  /** The password was reset through a mailed link: every session ends. */
  PasswordReset = 'password_reset',
  UserDisabled = 'user_disabled',
  Admin = 'admin',
  /** Revoked through the RFC 7009 endpoint. */
  Revoked = 'revoked',
  /** The passkey that signed the session in was removed. */
  PasskeyRemoved = 'passkey_removed',
  /** The application deleted the account and told Gatehouse to forget it. */
  AccountDeleted = 'account_deleted',
}

/**
 * One row per issued JWT, access or refresh. A token is valid only while its row exists, is not
 * revoked and has not expired, whatever its signature says.
 */
@Entity({ name: 'tokens' })
export class Token {
  /** The JWT's `jti` (RFC 7519 §4.1.7). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  jti!: string;

  @Index('IDX_tokens_user_id')
  /** The account's id as text: Gatehouse's own, or the host's (no foreign key: the table may be the host's). */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: TokenType;

  /** A login and all the tokens its refreshes produced: one session on one device. */
  @Index('IDX_tokens_family_id')
  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId!: string;

  @Column({ name: 'issued_at', type: 'datetime', precision: 3 })
  issuedAt!: Date;

  @Index('IDX_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ type: 'boolean', width: 1, default: false })
  revoked!: boolean;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: RevocationReason | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
