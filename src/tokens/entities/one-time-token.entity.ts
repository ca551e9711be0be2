import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a one-time token may be spent on; a token of one purpose is refused for any other. */
export enum OneTimeTokenPurpose {
  EmailVerification = 'email_verification',
  PasswordReset = 'password_reset',
  /** The step between a proven password and the second factor (the mfa_token's jti). */
  MfaLogin = 'mfa_login',
}

/**
 * A mailed link's token (or an mfa_token's id), single use. Only its SHA-256 is stored: whoever
 * reads the table (a backup, a replica) cannot spend the tokens in it.
 */
@Entity({ name: 'one_time_tokens' })
@Index('IDX_one_time_tokens_user_purpose', ['userId', 'purpose'])
export class OneTimeToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** base64url SHA-256 of the token. */
  @Index('UQ_one_time_tokens_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 43 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: OneTimeTokenPurpose;

  /** The account's id as text: Gatehouse's own, or the host's (no foreign key: the table may be the host's). */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Index('IDX_one_time_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  /** When it was spent, or voided by a newer token of the same purpose. */
  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt!: Date | null;
}
