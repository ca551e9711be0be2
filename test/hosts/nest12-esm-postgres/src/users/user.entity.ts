import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The application's accounts, as they were long before Gatehouse: UUIDs the database makes. */
@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 255, unique: true })
  email: string;

  @Column({ name: 'password', type: 'varchar', length: 60, select: false })
  password: string;

  @Column({ name: 'full_name', type: 'varchar', length: 100 })
  fullName: string;

  @Column({ type: 'boolean', default: false })
  banned: boolean;

  @Column({ type: 'text', array: true, default: () => "'{user}'" })
  roles: string[];
}
