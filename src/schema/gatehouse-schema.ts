import { getMetadataArgsStorage } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { OneTimeToken } from '../tokens/entities/one-time-token.entity';
import { RecoveryCode } from '../account/entities/recovery-code.entity';
import { UserMfa } from '../account/entities/user-mfa.entity';
import { RevocationOutboxEntry } from '../tokens/entities/revocation-outbox.entity';
import { Session } from '../tokens/entities/session.entity';
import { Token } from '../tokens/entities/token.entity';
import { User } from '../users/entities/user.entity';
import {
  UuidProperties,
  applyColumnTypes,
  applyIndexNames,
  dialectOf,
} from '../database/column-types';
import { GatehouseTables, schemaPlan } from './gatehouse-tables';
import { initialSchema } from './migrations/1764000000000-InitialSchema';
import { sessions } from './migrations/1764100000000-Sessions';
import { accountLifecycle } from './migrations/1764300000000-AccountLifecycle';
import { revocationOutbox } from './migrations/1764400000000-RevocationOutbox';
import { hostUsers } from './migrations/1764600000000-HostUsers';
import { canonicalEmails } from './migrations/1764700000000-CanonicalEmails';
import { passkeys } from './migrations/1764800000000-Passkeys';
import { Passkey } from '../passkeys/entities/passkey.entity';
import { PasskeyChallenge } from '../passkeys/entities/passkey-challenge.entity';

export interface GatehouseSchemaOptions {
  /**
   * Put before the name of every table Gatehouse owns. Default `gatehouse_` (`gatehouse_tokens`,
   * `gatehouse_sessions`…); `''` keeps the bare names that databases made before 0.2 have.
   */
  tablePrefix?: string;
  /**
   * Whether Gatehouse keeps the accounts in a users table of its own (default). False when the
   * host brings its own (AuthModule's `users` option): no users table is created.
   */
  users?: boolean;
  /**
   * The DataSource's `type`, when it is `postgres`: PostgreSQL gets types of its own (`uuid` ids,
   * `timestamptz` instants). MySQL, MariaDB and SQLite share the default.
   */
  databaseType?: DataSourceOptions['type'];
}

/** What the host's DataSource registers: Gatehouse's entities and migrations, and its tables. */
export interface GatehouseSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for both lists
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  tables: GatehouseTables;
}

/** Gatehouse's entities, by the table role each one maps. */
const ENTITIES: Array<[keyof GatehouseTables, abstract new () => unknown]> = [
  ['users', User],
  ['tokens', Token],
  ['sessions', Session],
  ['revocationOutbox', RevocationOutboxEntry],
  ['oneTimeTokens', OneTimeToken],
  ['userMfa', UserMfa],
  ['recoveryCodes', RecoveryCode],
  ['passkeys', Passkey],
  ['passkeyChallenges', PasskeyChallenge],
];

/** The ids Gatehouse generates (UUIDs); `user_id` columns may hold a host's ids of any kind. */
const UUID_PROPERTIES: UuidProperties = [
  [User, 'id'],
  [Token, 'jti'],
  [Token, 'familyId'],
  [Session, 'id'],
  [RevocationOutboxEntry, 'jti'],
  [RevocationOutboxEntry, 'familyId'],
  [OneTimeToken, 'id'],
  [RecoveryCode, 'id'],
  [Session, 'passkeyId'],
  [Passkey, 'id'],
  [PasskeyChallenge, 'id'],
];

/** Gatehouse's migrations, in order; each one builds the tables of a SchemaPlan. */
export const MIGRATIONS = [
  initialSchema,
  sessions,
  accountLifecycle,
  revocationOutbox,
  hostUsers,
  canonicalEmails,
  passkeys,
];

/** The entities a DataSource registers: all, or all but the users when the host keeps them. */
export function gatehouseEntities(ownUsers: boolean): Array<abstract new () => unknown> {
  return ENTITIES.filter(([role]) => role !== 'users' || ownUsers).map(([, entity]) => entity);
}

/**
 * Gatehouse's entities and migrations for the host's TypeORM DataSource:
 *
 *     const gatehouse = gatehouseSchema({ tablePrefix: 'auth_', users: false });
 *     TypeOrmModule.forRoot({ …, entities: [...mine, ...gatehouse.entities],
 *                                migrations: [...mine, ...gatehouse.migrations] })
 *
 * On PostgreSQL, say so: `gatehouseSchema({ databaseType: 'postgres' })`.
 *
 * The names and column types are given to Gatehouse's entities here (TypeORM reads them from its
 * decorators' registry when a DataSource initialises): call it before the DataSource starts, as
 * above.
 */
export function gatehouseSchema(options: GatehouseSchemaOptions = {}): GatehouseSchema {
  const plan = schemaPlan(options.tablePrefix ?? 'gatehouse_', options.users ?? true);
  const entities = ENTITIES.map(([, entity]) => entity);
  const dialect = dialectOf(options.databaseType);
  applyColumnTypes(entities, UUID_PROPERTIES, dialect);
  applyIndexNames(entities, plan.prefix, dialect);
  const tables = getMetadataArgsStorage().tables;
  for (const [role, entity] of ENTITIES) {
    const args = tables.find((table) => table.target === entity);
    if (args) args.name = plan.tables[role];
  }
  return {
    entities: gatehouseEntities(plan.ownUsers),
    migrations: MIGRATIONS.map((migration) => migration(plan)),
    tables: plan.tables,
  };
}
