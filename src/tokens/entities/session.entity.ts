import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { RevocationReason } from './token.entity';

/**
 * A session: one login on one device, and every token its refreshes produced (a token family;
 * `id` is the tokens' `family_id` and the JWTs' `sid`). What `GET /auth/sessions` lists.
 */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_sessions_user_id')
  /** The account's id as text: Gatehouse's own, or the host's (no foreign key: the table may be the host's). */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  /** Last refresh, or last request (recorded at most once a minute per instance). */
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3 })
  lastUsedAt!: Date;

  /** When its current refresh token expires: the session cannot outlive it. */
  @Index('IDX_sessions_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  /** The passkey that signed this session in, if one did: removing the passkey ends the session. */
  @Index('IDX_sessions_passkey_id')
  @Column({ name: 'passkey_id', type: 'varchar', length: 36, nullable: true })
  passkeyId!: string | null;

  @Column({ type: 'boolean', width: 1, default: false })
  revoked!: boolean;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: RevocationReason | null;
}
