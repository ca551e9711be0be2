import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { SchemaPlan, assertFree } from '../gatehouse-tables';
import { portableColumns } from './portable-columns';

/**
 * Revocations on their way to Redis (see RevocationOutboxEntry). Normally empty: a row lives from
 * the revoking transaction until an instance has written it to Redis.
 */
export const revocationOutbox = ({ tables }: SchemaPlan) =>
  class RevocationOutbox1764400000000 implements MigrationInterface {
    name = 'RevocationOutbox1764400000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      const { id, uuid, time } = portableColumns(queryRunner);
      await assertFree(queryRunner, tables.revocationOutbox);
      await queryRunner.createTable(
        new Table({
          name: tables.revocationOutbox,
          columns: [
            uuid('jti', true),
            id('user_id'),
            uuid('family_id'),
            time('expires_at'),
            time('created_at'),
          ],
        }),
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(tables.revocationOutbox);
    }
  };
