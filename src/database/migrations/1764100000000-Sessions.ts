import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * One row per session (token family), for the sessions API. Existing families are backfilled
 * from their tokens: a family is revoked when all of its tokens are.
 */
export class Sessions1764100000000 implements MigrationInterface {
  name = 'Sessions1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'last_used_at', type: 'datetime', precision: 3 },
          { name: 'expires_at', type: 'datetime', precision: 3 },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'revoked', type: 'boolean', default: 0 },
          { name: 'revoked_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [
          { name: 'IDX_sessions_user_id', columnNames: ['user_id'] },
          { name: 'IDX_sessions_expires_at', columnNames: ['expires_at'] },
        ],
        foreignKeys: [
          {
            name: 'FK_sessions_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked)
       SELECT family_id, MIN(user_id), MIN(issued_at), MAX(issued_at), MAX(expires_at), MIN(revoked)
       FROM tokens GROUP BY family_id`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sessions');
  }
}
