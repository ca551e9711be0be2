import { randomUUID } from 'node:crypto';
import {
  type DataSourceOptions,
  BeforeInsert,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  getMetadataArgsStorage,
} from 'typeorm';
import { GatehouseUserEntity as User } from '../../../index';

/** The example resource: a note owned by one user. Replace it with your own domain. */
@Entity({ name: 'notes' })
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_notes_owner_id')
  @Column({ name: 'owner_id', type: 'varchar', length: 36 })
  ownerId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'FK_notes_owner_id' })
  owner?: User;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  // Stamped here, not by the database: CURRENT_TIMESTAMP follows the MySQL session's time zone.
  @BeforeInsert()
  protected beforeInsert(): void {
    this.id ??= randomUUID();
    this.createdAt ??= new Date();
  }
}

/**
 * The note's types on the database at hand: on PostgreSQL its ids are `uuid`, as the users' ids
 * it points at are there, and its instant a `timestamptz`; elsewhere as declared above. (The same
 * thing gatehouseSchema's `databaseType` does for Gatehouse's entities, before the DataSource
 * reads them.)
 */
export function noteColumnTypes(databaseType: DataSourceOptions['type']): void {
  const postgres = databaseType === 'postgres';
  for (const args of getMetadataArgsStorage().columns) {
    if (args.target !== Note) continue;
    const options = { ...args.options };
    if (args.propertyName === 'id' || args.propertyName === 'ownerId') {
      Object.assign(
        options,
        postgres ? { type: 'uuid', length: undefined } : { type: 'varchar', length: 36 },
      );
    } else if (args.propertyName === 'createdAt') {
      options.type = postgres ? 'timestamptz' : undefined;
    }
    Object.assign(args, { options });
  }
}
