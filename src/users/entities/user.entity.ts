import { randomUUID } from 'node:crypto';
import {
  BeforeInsert,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

export const ROLE_USER = 'user';
export const ROLE_ADMIN = 'admin';

/** An account. The email is stored normalised (trimmed, lower-cased) and is unique. */
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

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= randomUUID();
  }
}
