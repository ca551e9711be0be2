import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { SchemaPlan, assertFree } from '../gatehouse-tables';
import { portableColumns } from './portable-columns';

/**
 * Users (when Gatehouse keeps them) and issued tokens, under the plan's names. Token rows point at
 * users by id only, with no foreign key: the accounts may live in the host's table. (Until the example resource got a migration of its own, this one also
 * created its `notes` table; databases made then keep it.) Written with TypeORM's portable schema API so one
 * migration serves SQLite, MySQL/MariaDB and PostgreSQL; the column builders hide the differences.
 */
export const initialSchema = ({ prefix, tables, ownUsers }: SchemaPlan) =>
  class InitialSchema1764000000000 implements MigrationInterface {
    name = 'InitialSchema1764000000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      const { index, id, uuid, string, text, time, stamp, flag } = portableColumns(
        queryRunner,
        prefix,
      );
      for (const name of [tables.tokens, ...(ownUsers ? [tables.users] : [])])
        await assertFree(queryRunner, name);

      if (ownUsers)
        await queryRunner.createTable(
          new Table({
            name: tables.users,
            columns: [
              uuid('id', true),
              string('email', 254, { exact: true }),
              string('password_hash', 100, { exact: true }),
              text('roles'),
              flag('disabled'),
              stamp('created_at'),
              stamp('updated_at', true),
            ],
            indices: [{ name: index('UQ_users_email'), columnNames: ['email'], isUnique: true }],
          }),
        );

      await queryRunner.createTable(
        new Table({
          name: tables.tokens,
          columns: [
            uuid('jti', true),
            id('user_id'),
            string('type', 16),
            uuid('family_id'),
            time('issued_at'),
            time('expires_at'),
            flag('revoked'),
            time('revoked_at', true),
            string('revoked_reason', 32, { nullable: true }),
            string('user_agent', 512, { nullable: true }),
            string('ip', 64, { nullable: true }),
          ],
          indices: [
            { name: index('IDX_tokens_user_id'), columnNames: ['user_id'] },
            { name: index('IDX_tokens_family_id'), columnNames: ['family_id'] },
            { name: index('IDX_tokens_expires_at'), columnNames: ['expires_at'] },
          ],
        }),
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(tables.tokens);
      if (ownUsers) await queryRunner.dropTable(tables.users);
    }
  };
