import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable-columns';

/**
 * Revocations on their way to Redis (see RevocationOutboxEntry). Normally empty: a row lives from
 * the revoking transaction until an instance has written it to Redis.
 */
export class RevocationOutbox1764400000000 implements MigrationInterface {
  name = 'RevocationOutbox1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { id, time } = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'revocation_outbox',
        columns: [id('jti', true), id('user_id'), id('family_id'), time('expires_at'), time('created_at')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revocation_outbox');
  }
}
