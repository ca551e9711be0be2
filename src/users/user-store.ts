import type { EntityManager } from 'typeorm';

/**
 * An account as Gatehouse sees it, whoever stores it: Gatehouse's own users table, or the
 * host's (see {@link UserStore}).
 */
export interface GatehouseUser {
  /**
   * The host's id, as text: what Gatehouse's rows reference and the token's `sub` carries. An
   * integer id 42 is "42" here and 42 again on `@CurrentUser()`.
   */
  id: string;
  /** Stored as the host stores it; Gatehouse compares addresses in their canonical form (canonicalEmail). */
  email: string;
  /** A bcrypt hash ($2a$, $2b$ or $2y$); null: no password login for this account. */
  passwordHash: string | null;
  roles: string[];
  disabled: boolean;
  /** When the owner proved the address; null until then. */
  emailVerifiedAt: Date | null;
  createdAt?: Date;
  updatedAt?: Date;
  /**
   * What the host wants on `@CurrentUser()` (a display name, a tenant): carried by the access
   * token, so a guarded request needs no query for it. Refreshed with the token.
   */
  claims?: Record<string, unknown>;
}

/** An account that registration creates. */
export interface NewGatehouseUser {
  email: string;
  passwordHash: string;
  roles: string[];
  emailVerified: boolean;
}

/**
 * The port through which Gatehouse reaches accounts. `TypeOrmUserStore` is the ready
 * implementation (AuthModule's `users` option points it at the host's entity and columns); a
 * host with another store provides its own class (`users: { useClass }`).
 *
 * `manager`: when given, the write belongs to a transaction of Gatehouse's (disabling an account
 * commits together with the end of its sessions); a store on another database ignores it.
 */
export interface UserStore {
  findById(id: string): Promise<GatehouseUser | null>;
  /** `email` arrives in its canonical form (canonicalEmail: trimmed, NFKC, lower case, IDNA domain). */
  findByEmail(email: string): Promise<GatehouseUser | null>;
  /** Throws DomainError(EMAIL_TAKEN) when the address is already registered. */
  create(user: NewGatehouseUser): Promise<GatehouseUser>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Records the first proof only. */
  markEmailVerified(id: string, at: Date): Promise<void>;
  list(limit: number, offset: number): Promise<{ items: GatehouseUser[]; total: number }>;
  setRoles(id: string, roles: string[], manager?: EntityManager): Promise<void>;
  setDisabled(id: string, disabled: boolean, manager?: EntityManager): Promise<void>;
  /**
   * The id as the host's code knows it (`@CurrentUser().id`): a number for an integer id column.
   * Default: the text itself.
   */
  hostId?(id: string): string | number;
}

export const USER_STORE = Symbol('gatehouse:user-store');
