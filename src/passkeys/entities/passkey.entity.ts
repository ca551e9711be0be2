import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** bigint columns come back as strings from MySQL and PostgreSQL drivers; a counter fits a number. */
const counterTransformer = {
  to: (value: number) => value,
  from: (value: string | number | null) => (value === null ? 0 : Number(value)),
};

/**
 * A passkey (WebAuthn credential) of an account: the public key that checks its assertions and
 * what the authenticator said of itself when it was made. The credential id is bound to one
 * account: its hash is unique across all of them.
 */
@Entity({ name: 'passkeys' })
export class Passkey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_passkeys_user_id')
  /** The account's id as text: Gatehouse's own, or the host's (no foreign key: the table may be the host's). */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The credential id as the browser sends it (base64url); up to 1023 bytes (WebAuthn §5.8.3). */
  @Column({ name: 'credential_id', type: 'text' })
  credentialId!: string;

  /**
   * base64url SHA-256 of the credential id: what it is looked up by, and unique, since a unique
   * index on the id itself would not fit MySQL's key length.
   */
  @Index('UQ_passkeys_credential_hash', { unique: true })
  @Column({ name: 'credential_hash', type: 'varchar', length: 43 })
  credentialHash!: string;

  /** The COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  /** The signature counter last seen; 0 for authenticators that keep none (most synced passkeys). */
  @Column({ type: 'bigint', default: 0, transformer: counterTransformer })
  counter!: number;

  /** What the owner calls it ("MacBook Touch ID"). */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** How the browser may reach it (`internal`, `hybrid`, `usb`…), comma-separated. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  transports!: string | null;

  /** The authenticator model's AAGUID (all zeros when it does not say, as with attestation none). */
  @Column({ type: 'varchar', length: 36 })
  aaguid!: string;

  /** Whether it may be synced to other devices (`multiDevice`) or is bound to one (`singleDevice`). */
  @Column({ name: 'device_type', type: 'varchar', length: 16 })
  deviceType!: string;

  @Column({ name: 'backed_up', type: 'boolean', width: 1, default: false })
  backedUp!: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true })
  lastUsedAt!: Date | null;
}
