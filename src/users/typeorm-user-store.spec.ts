import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ErrorCode } from '../common/errors/domain-error';
import { TypeOrmUserStore, TypeOrmUsersOptions } from './typeorm-user-store';

/** A host's own accounts: integer ids, a hidden password column, one role as text, no flags. */
@Entity({ name: 'members' })
class Member {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 255, unique: true })
  mail!: string;

  @Column({ type: 'varchar', length: 60, select: false })
  password!: string;

  @Column({ type: 'varchar', length: 32, default: 'user' })
  role!: string;

  @Column({ type: 'varchar', length: 100 })
  displayName!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  tenant!: string | null;

  /** Hidden from ordinary reads, as hosts do with flags they rarely show. */
  @Column({ type: 'boolean', default: false, select: false })
  banned!: boolean;
}

const HASH = '$2a$04$0123456789012345678901uIcn4tiB2fz0HR3vHrGyG1Srn/X.q2m';

describe('TypeOrmUserStore on a host’s entity', () => {
  let dataSource: DataSource;
  let store: TypeOrmUserStore<Member>;
  const options: TypeOrmUsersOptions<Member> = {
    entity: Member,
    columns: { id: 'id', email: 'mail', passwordHash: 'password', roles: 'role' },
    newUser: (user) => ({ displayName: user.email.split('@')[0] }),
    claims: (row) => ({ name: row.displayName, tenant: row.tenant }),
  };

  beforeEach(async () => {
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Member],
      synchronize: true,
    });
    await dataSource.initialize();
    await dataSource.getRepository(Member).insert({
      mail: 'old@host.example',
      password: HASH,
      role: 'admin',
      displayName: 'Old',
      tenant: 't1',
    });
    store = new TypeOrmUserStore(dataSource, options);
  });
  afterEach(() => dataSource.destroy());

  it('finds an existing account, hidden password hash included, with its claims', async () => {
    const user = await store.findByEmail('old@host.example');
    expect(user).toEqual({
      id: '1',
      email: 'old@host.example',
      passwordHash: HASH,
      roles: ['admin'],
      disabled: false,
      emailVerifiedAt: new Date(0),
      createdAt: undefined,
      updatedAt: undefined,
      claims: { name: 'Old', tenant: 't1' },
    });
    await expect(store.findById('1')).resolves.toMatchObject({ email: 'old@host.example' });
  });

  it('gives the host its own id type back, and finds nothing for a non-integer id', async () => {
    expect(store.hostId('42')).toBe(42);
    await expect(store.findById('1 OR 1=1')).resolves.toBeNull();
    await expect(store.findById('7')).resolves.toBeNull();
  });

  it('finds an account by its id as Gatehouse writes it only: another spelling finds nothing', async () => {
    // Gatehouse's rows hold "1": a change made through "01" would end none of its sessions.
    await expect(store.findById('01')).resolves.toBeNull();
    await expect(store.findById('+1')).resolves.toBeNull();
    await expect(store.findById('1')).resolves.toMatchObject({ id: '1' });
  });

  it('finds an id past 32 bits where the column holds it (SQLite integers are 64-bit)', async () => {
    await dataSource
      .getRepository(Member)
      .insert({ id: 3_000_000_000, mail: 'big@host.example', password: HASH, displayName: 'Big' });
    await expect(store.findById('3000000000')).resolves.toMatchObject({
      id: '3000000000',
      email: 'big@host.example',
    });
  });

  it('reads a flag the entity hides (select: false): a hidden disabled column still disables', async () => {
    const guarded = new TypeOrmUserStore(dataSource, {
      ...options,
      columns: { ...options.columns, disabled: 'banned' },
    });
    await dataSource.getRepository(Member).update({ id: 1 }, { banned: true });
    await expect(guarded.findByEmail('old@host.example')).resolves.toMatchObject({
      disabled: true,
    });
    await expect(guarded.findById('1')).resolves.toMatchObject({ disabled: true });
  });

  it('creates an account with the host’s own columns filled in, and refuses a taken address', async () => {
    const created = await store.create({
      email: 'new@host.example',
      passwordHash: HASH,
      roles: ['user'],
      emailVerified: false,
    });
    expect(created).toMatchObject({
      id: '2',
      roles: ['user'],
      claims: { name: 'new', tenant: null },
    });
    await expect(
      store.create({
        email: 'new@host.example',
        passwordHash: HASH,
        roles: ['user'],
        emailVerified: false,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.EmailTaken });
  });

  it('changes the password hash and the role in the host’s columns', async () => {
    await store.setPasswordHash('1', 'changed');
    await store.setRoles('1', ['user', 'auditor']);
    const row = await dataSource
      .getRepository(Member)
      .findOne({ where: { id: 1 }, select: { password: true, role: true } });
    expect(row).toMatchObject({ password: 'changed', role: 'user,auditor' });
  });

  it('knows what it cannot do without a column, for the boot check', () => {
    expect(store.has).toEqual({ roles: true, disabled: false, emailVerification: false });
    return expect(store.setDisabled('1', true)).rejects.toThrow(
      /users\.columns\.disabled is not set/,
    );
  });

  it('stops the boot naming the option: an entity the DataSource does not have', () => {
    class Stranger {}
    expect(
      () => new TypeOrmUserStore(dataSource, { ...options, entity: Stranger } as never),
    ).toThrow(/users\.entity Stranger is not an entity of the TypeORM DataSource/);
  });

  it('stops the boot naming the option: a property the entity does not have', () => {
    expect(
      () =>
        new TypeOrmUserStore(dataSource, {
          ...options,
          columns: { ...options.columns, email: 'email' as never },
        }),
    ).toThrow(/users\.columns\.email: Member has no column property "email"/);
  });
});
