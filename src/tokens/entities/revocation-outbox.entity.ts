import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A revoked access token that Redis may not know about yet. Written in the revoking transaction
 * (so a crash cannot lose it) and deleted once its revoked marker is in Redis and its `jti` has
 * been published; every instance reads what is left at each revocation sync. Only deployments
 * with Redis write here. The token's own columns ride along, so the marker needs no other read.
 */
@Entity({ name: 'revocation_outbox' })
export class RevocationOutboxEntry {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  jti!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId!: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
