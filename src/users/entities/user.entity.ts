import { randomUUID } from 'node:crypto';
import {
  BeforeInsert,
  BeforeUpdate,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

export const ROLE_USER = 'user';
export const ROLE_ADMIN = 'admin';

/** An account. The email is stored in its canonical form (canonicalEmail) and is unique. */
@Entity({ name: 'users' })
export class User {
  // Generated here rather than by the database, so SQLite and MySQL store the same varchar(36).
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('UQ_users_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'simple-array' })
  roles!: string[];

  @Column({ type: 'boolean', width: 1, default: false })
  disabled!: boolean;

  /** When the owner proved the address (a verification or reset link); null until then. */
  @Column({ name: 'email_verified_at', type: 'datetime', precision: 3, nullable: true })
  emailVerifiedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  // Stamped here, not by the database: CURRENT_TIMESTAMP follows the MySQL session's time zone.
  @BeforeInsert()
  protected beforeInsert(): void {
    this.id ??= randomUUID();
    this.createdAt ??= new Date();
    this.updatedAt ??= this.createdAt;
  }

  @BeforeUpdate()
  protected beforeUpdate(): void {
    this.updatedAt = new Date();
  }
}
