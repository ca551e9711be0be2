import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import type {
  DataSource,
  DeepPartial,
  EntityManager,
  EntityMetadata,
  ObjectLiteral,
  Repository,
} from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { isDuplicateKey, isUnfitValue } from '../common/errors/driver-errors';
import { isGeneratedUuid } from '../common/uuid';
import { ROLE_USER, User } from './entities/user.entity';
import type { GatehouseUser, NewGatehouseUser, UserStore } from './user-store';

type Property<T> = Extract<keyof T, string>;

/**
 * Where the accounts are: an entity of the application's DataSource, and which of its properties
 * hold what Gatehouse needs. Only id, email and password hash are required.
 */
export interface TypeOrmUsersOptions<T extends ObjectLiteral = ObjectLiteral> {
  /** The host's entity class, registered with its TypeORM DataSource. */
  entity: abstract new (...args: never[]) => T;
  /** Property names (not column names) of the entity. */
  columns: {
    id: Property<T>;
    email: Property<T>;
    /** A bcrypt hash; existing hashes keep working. A `select: false` column is fine. */
    passwordHash: Property<T>;
    /** A string array (simple-array, json) or a comma-separated string. Without: `defaultRoles`. */
    roles?: Property<T>;
    /** A boolean; true refuses the account's logins and tokens. Without: never disabled. */
    disabled?: Property<T>;
    /** A nullable date. Without: every account counts as verified. */
    emailVerifiedAt?: Property<T>;
    createdAt?: Property<T>;
    updatedAt?: Property<T>;
  };
  /** Every account's roles when there is no roles column. Default `['user']`. */
  defaultRoles?: string[];
  /**
   * The host's other columns for an account that registration creates (a display name, a
   * tenant…). Without it, registration sets the mapped columns only.
   */
  newUser?: (user: NewGatehouseUser) => DeepPartial<T>;
  /** What `@CurrentUser()` carries besides id and roles, read from the row at login and refresh. */
  claims?: (row: T) => Record<string, unknown>;
}

// Not bigint: ids past 2^53 would lose digits as numbers; they stay text, as the drivers give them.
const NUMERIC = new Set([
  'int',
  'int2',
  'int4',
  'integer',
  'smallint',
  'mediumint',
  'tinyint',
  'number',
]);
/** What Gatehouse's own tables hold in their user_id columns (varchar(36)). */
const MAX_ID_LENGTH = 36;

/**
 * The ready UserStore: any TypeORM entity, described by {@link TypeOrmUsersOptions}. Checks the
 * description against the DataSource's metadata when built, so a wrong entity or property stops
 * the boot naming the option.
 */
export class TypeOrmUserStore<T extends ObjectLiteral = ObjectLiteral> implements UserStore {
  private readonly metadata: EntityMetadata;
  private readonly numericId: boolean;
  /** A `uuid` column (PostgreSQL, MariaDB): other text is an error there, not a miss. */
  private readonly uuidId: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmUsersOptions<T>,
  ) {
    const name = (options.entity as { name?: string }).name ?? String(options.entity);
    if (!dataSource.hasMetadata(options.entity)) {
      throw new Error(
        `AuthModule: users.entity ${name} is not an entity of the TypeORM DataSource; add it to the DataSource's entities`,
      );
    }
    this.metadata = dataSource.getMetadata(options.entity);
    for (const [option, property] of Object.entries(options.columns)) {
      if (property !== undefined && !this.metadata.findColumnWithPropertyName(property)) {
        throw new Error(
          `AuthModule: users.columns.${option}: ${name} has no column property "${property}"`,
        );
      }
    }
    const id = this.metadata.findColumnWithPropertyName(options.columns.id)!;
    const type =
      typeof id.type === 'function' ? id.type.name.toLowerCase() : String(id.type).toLowerCase();
    this.numericId = NUMERIC.has(type);
    this.uuidId = type === 'uuid';
    const length = Number(id.length || 0);
    if (!this.numericId && length > MAX_ID_LENGTH) {
      throw new Error(
        `AuthModule: users.columns.id: ${name}.${options.columns.id} holds up to ${length} characters; Gatehouse stores user ids of up to ${MAX_ID_LENGTH}`,
      );
    }
  }

  /** Whether the store can do what a feature needs: AuthModule checks at boot. */
  get has(): { roles: boolean; disabled: boolean; emailVerification: boolean } {
    const { columns } = this.options;
    return {
      roles: columns.roles !== undefined,
      disabled: columns.disabled !== undefined,
      emailVerification: columns.emailVerifiedAt !== undefined,
    };
  }

  hostId(id: string): string | number {
    return this.numericId ? Number(id) : id;
  }

  /**
   * Only the id as Gatehouse wrote it finds the account: `042` for 42, or `ADA` for `ada` under a
   * case-insensitive collation, finds nothing. Gatehouse's rows hold the exact text, so an admin
   * change made through another spelling would otherwise end none of the account's sessions.
   */
  async findById(id: string): Promise<GatehouseUser | null> {
    if (this.numericId && !/^(0|[1-9]\d{0,15})$/.test(id)) return null;
    if (this.uuidId && !isGeneratedUuid(id)) return null;
    try {
      const user = await this.findOne(this.options.columns.id, this.hostId(id));
      return user && user.id === id ? user : null;
    } catch (error) {
      // PostgreSQL errs where the other databases find no row: such an id is no account's.
      if (isUnfitValue(error)) return null;
      throw error;
    }
  }

  findByEmail(email: string): Promise<GatehouseUser | null> {
    return this.findOne(this.options.columns.email, email);
  }

  async create(user: NewGatehouseUser): Promise<GatehouseUser> {
    const { columns } = this.options;
    if (await this.findByEmail(user.email)) {
      throw new DomainError(ErrorCode.EmailTaken, 'An account with this email already exists');
    }
    const now = new Date();
    const values: Record<string, unknown> = { ...((this.options.newUser?.(user) ?? {}) as object) };
    values[columns.email] = user.email;
    values[columns.passwordHash] = user.passwordHash;
    if (columns.roles) values[columns.roles] = this.rolesValue(user.roles);
    if (columns.disabled) values[columns.disabled] = false;
    if (columns.emailVerifiedAt) values[columns.emailVerifiedAt] = user.emailVerified ? now : null;
    const id = this.metadata.findColumnWithPropertyName(columns.id)!;
    if (!id.isGenerated && values[columns.id] === undefined && !this.numericId)
      values[columns.id] = randomUUID();
    const repository = this.repository();
    try {
      // One INSERT, not wrapped in a transaction of its own: on SQLite that would open on the
      // connection every request shares (see Transactions).
      const saved = await repository.save(repository.create(values as DeepPartial<T>), {
        transaction: false,
      });
      return this.toUser(saved);
    } catch (error) {
      // Two registrations raced past the check above; the unique index decided.
      if (isDuplicateKey(error)) {
        throw new DomainError(ErrorCode.EmailTaken, 'An account with this email already exists');
      }
      throw error;
    }
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.update(id, { [this.options.columns.passwordHash]: passwordHash });
  }

  async markEmailVerified(id: string, at: Date): Promise<void> {
    const column = this.options.columns.emailVerifiedAt;
    if (!column) return;
    await this.repository().update(
      { [this.options.columns.id]: this.hostId(id), [column]: IsNull() } as never,
      this.stamped({ [column]: at }) as never,
    );
  }

  async list(limit: number, offset: number): Promise<{ items: GatehouseUser[]; total: number }> {
    const { columns } = this.options;
    const order: Record<string, 'ASC'> = {};
    if (columns.createdAt) order[`u.${columns.createdAt}`] = 'ASC';
    order[`u.${columns.id}`] = 'ASC';
    const [rows, total] = await this.select()
      .orderBy(order)
      .take(limit)
      .skip(offset)
      .getManyAndCount();
    return { items: rows.map((row) => this.toUser(row)), total };
  }

  async setRoles(id: string, roles: string[], manager?: EntityManager): Promise<void> {
    const column = this.options.columns.roles;
    if (!column) throw new Error('AuthModule: users.columns.roles is not set; roles cannot change');
    await this.update(id, { [column]: this.rolesValue(roles) }, manager);
  }

  async setDisabled(id: string, disabled: boolean, manager?: EntityManager): Promise<void> {
    const column = this.options.columns.disabled;
    if (!column)
      throw new Error('AuthModule: users.columns.disabled is not set; accounts cannot be disabled');
    await this.update(id, { [column]: disabled }, manager);
  }

  private repository(manager?: EntityManager): Repository<T> {
    return (manager ?? this.dataSource.manager).getRepository(this.options.entity);
  }

  /**
   * Every mapped column, those the entity hides (`select: false`) included: a hidden `disabled`
   * read as absent would let a disabled account in.
   */
  private select() {
    const mapped = Object.values(this.options.columns).filter((p) => p !== undefined) as string[];
    return this.repository()
      .createQueryBuilder('u')
      .addSelect(mapped.map((property) => `u.${property}`));
  }

  private async findOne(property: string, value: unknown): Promise<GatehouseUser | null> {
    const row = await this.select().where(`u.${property} = :value`, { value }).getOne();
    return row ? this.toUser(row) : null;
  }

  private async update(
    id: string,
    values: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.repository(manager).update(
      { [this.options.columns.id]: this.hostId(id) } as never,
      this.stamped(values) as never,
    );
  }

  private stamped(values: Record<string, unknown>): Record<string, unknown> {
    const column = this.options.columns.updatedAt;
    return column ? { ...values, [column]: new Date() } : values;
  }

  private rolesValue(roles: string[]): unknown {
    const column = this.metadata.findColumnWithPropertyName(this.options.columns.roles!)!;
    const arrayLike =
      column.type === 'simple-array' ||
      column.type === 'json' ||
      column.type === 'simple-json' ||
      column.isArray;
    return arrayLike ? roles : roles.join(',');
  }

  private toUser(row: T): GatehouseUser {
    const { columns } = this.options;
    const get = (property?: string): unknown =>
      property ? (row as Record<string, unknown>)[property] : undefined;
    const roles = get(columns.roles);
    return {
      id: String(get(columns.id)),
      email: String(get(columns.email)),
      passwordHash: (get(columns.passwordHash) as string | null | undefined) ?? null,
      roles: Array.isArray(roles)
        ? roles.map(String)
        : typeof roles === 'string'
          ? roles
              .split(',')
              .map((role) => role.trim())
              .filter(Boolean)
          : (this.options.defaultRoles ?? [ROLE_USER]),
      disabled: Boolean(get(columns.disabled) ?? false),
      // Without a column every account counts as verified: there is nothing to prove it against.
      emailVerifiedAt: columns.emailVerifiedAt
        ? ((get(columns.emailVerifiedAt) as Date | null | undefined) ?? null)
        : new Date(0),
      createdAt: get(columns.createdAt) as Date | undefined,
      updatedAt: get(columns.updatedAt) as Date | undefined,
      claims: this.options.claims?.(row),
    };
  }
}

/** Gatehouse's own users table, through the same port: what AuthModule uses without `users`. */
export const GATEHOUSE_USERS: TypeOrmUsersOptions<User> = {
  entity: User,
  columns: {
    id: 'id',
    email: 'email',
    passwordHash: 'passwordHash',
    roles: 'roles',
    disabled: 'disabled',
    emailVerifiedAt: 'emailVerifiedAt',
    createdAt: 'createdAt',
    updatedAt: 'updatedAt',
  },
};
