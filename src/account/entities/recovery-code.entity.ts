import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One of the codes shown once when two-factor is enabled; hashed, each usable once. */
@Entity({ name: 'mfa_recovery_codes' })
export class RecoveryCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_mfa_recovery_codes_user_id')
  /** The account's id as text: Gatehouse's own, or the host's (no foreign key: the table may be the host's). */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** Hex SHA-256 of the normalised code. */
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true })
  usedAt!: Date | null;
}
