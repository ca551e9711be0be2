import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A user's TOTP authenticator. Created by setup, in force once `enabledAt` is set (the user has
 * proven the app shows the right codes); setup again before that replaces the secret.
 */
@Entity({ name: 'user_mfa' })
export class UserMfa {
  /** The account's id as text: Gatehouse's own, or the host's (no foreign key: the table may be the host's). */
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The TOTP secret sealed with AES-256-GCM (SecretBox), bound to the user id. */
  @Column({ name: 'secret', type: 'varchar', length: 255 })
  secret!: string;

  @Column({ name: 'enabled_at', type: 'datetime', precision: 3, nullable: true })
  enabledAt!: Date | null;

  /**
   * The time step of the last code accepted: a code is accepted only for a later step, so a code
   * seen over someone's shoulder cannot be replayed within its window (RFC 6238 §5.2).
   */
  @Column({ name: 'last_used_step', type: 'integer', nullable: true })
  lastUsedStep!: number | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
