import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from '../../database/migrations/portable-columns';

/**
 * The example resource's table, the standalone server's own: Gatehouse's migrations create only
 * Gatehouse's tables. Databases made before this split already have it (the first migration
 * created it then), hence "if not exists".
 */
export class ExampleNotes1764500000000 implements MigrationInterface {
  name = 'ExampleNotes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { id, string, text, stamp } = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'notes',
        columns: [id('id', true), id('owner_id'), string('title', 200), text('body'), stamp('created_at')],
        indices: [{ name: 'IDX_notes_owner_id', columnNames: ['owner_id'] }],
        foreignKeys: [
          {
            name: 'FK_notes_owner_id',
            columnNames: ['owner_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notes', true);
  }
}
