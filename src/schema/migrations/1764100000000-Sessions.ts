import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { SchemaPlan, assertFree } from '../gatehouse-tables';
import { portableColumns } from './portable-columns';

/**
 * One row per session (token family), for the sessions API. Existing families are backfilled
 * from their tokens: a family is revoked when all of its tokens are.
 */
export const sessions = ({ prefix, tables }: SchemaPlan) =>
  class Sessions1764100000000 implements MigrationInterface {
    name = 'Sessions1764100000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      const { index, id, uuid, string, time, flag } = portableColumns(queryRunner, prefix);
      await assertFree(queryRunner, tables.sessions);
      await queryRunner.createTable(
        new Table({
          name: tables.sessions,
          columns: [
            uuid('id', true),
            id('user_id'),
            time('created_at'),
            time('last_used_at'),
            time('expires_at'),
            string('user_agent', 512, { nullable: true }),
            string('ip', 64, { nullable: true }),
            flag('revoked'),
            time('revoked_at', true),
            string('revoked_reason', 32, { nullable: true }),
          ],
          indices: [
            { name: index('IDX_sessions_user_id'), columnNames: ['user_id'] },
            { name: index('IDX_sessions_expires_at'), columnNames: ['expires_at'] },
          ],
        }),
      );
      // PostgreSQL has no MIN of booleans: bool_and is "all of them revoked" there.
      const allRevoked =
        queryRunner.connection.driver.options.type === 'postgres'
          ? 'bool_and(revoked)'
          : 'MIN(revoked)';
      // Quoted: PostgreSQL folds an unquoted name to lower case, and a prefix may have capitals.
      const quote = (name: string) => queryRunner.connection.driver.escape(name);
      await queryRunner.query(
        `INSERT INTO ${quote(tables.sessions)} (id, user_id, created_at, last_used_at, expires_at, revoked)
       SELECT family_id, MIN(user_id), MIN(issued_at), MAX(issued_at), MAX(expires_at), ${allRevoked}
       FROM ${quote(tables.tokens)} GROUP BY family_id`,
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(tables.sessions);
    }
  };
