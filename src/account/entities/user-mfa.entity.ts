import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity';

/**
 * A user's TOTP authenticator. Created by setup, in force once `enabledAt` is set (the user has
 * proven the app shows the right codes); setup again before that replaces the secret.
 */
@Entity({ name: 'user_mfa' })
export class UserMfa {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_mfa_user_id' })
  user?: User;

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
