import { MigrationInterface, QueryRunner } from 'typeorm';
import { BARE_TABLES, GatehouseTables, SchemaPlan } from '../gatehouse-tables';

/** The tables that pointed at the users table, before accounts could be the host's. */
const REFERRING: Array<keyof GatehouseTables> = [
  'tokens',
  'sessions',
  'oneTimeTokens',
  'userMfa',
  'recoveryCodes',
];

/**
 * Brings a database made by an earlier Gatehouse to the current shape; on a new database the
 * earlier migrations already made it, and this does nothing.
 * - Gatehouse's tables take the chosen prefix: each bare table is renamed, when it exists and
 *   the prefixed one does not. The users table only when Gatehouse keeps the accounts: a bare
 *   `users` is otherwise the host's own.
 * - Their foreign keys to the users table go: the accounts may now live in the host's table,
 *   and rows are matched by id. Gatehouse's own checks treat a missing account as disabled.
 */
export const hostUsers = ({ tables, ownUsers }: SchemaPlan) =>
  class HostUsers1764600000000 implements MigrationInterface {
    name = 'HostUsers1764600000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const role of Object.keys(BARE_TABLES) as Array<keyof GatehouseTables>) {
        const [bare, named] = [BARE_TABLES[role], tables[role]];
        if (bare === named || (role === 'users' && !ownUsers)) continue;
        if ((await queryRunner.hasTable(bare)) && !(await queryRunner.hasTable(named))) {
          await queryRunner.renameTable(bare, named);
        }
      }
      for (const role of REFERRING) {
        const table = await queryRunner.getTable(tables[role]);
        const toUsers = (table?.foreignKeys ?? []).filter((fk) =>
          [BARE_TABLES.users, tables.users].some((users) => fk.referencedTableName.endsWith(users)),
        );
        if (table && toUsers.length > 0) await queryRunner.dropForeignKeys(table, toUsers);
      }
    }

    async down(): Promise<void> {
      // Nothing to undo safely: the accounts may be the host's, which no key can point at.
    }
  };
