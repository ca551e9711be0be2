import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * The example resource's table, the standalone server's own: Gatehouse's migrations create only
 * Gatehouse's tables. Databases made before this split already have it (the first migration
 * created it then), hence "if not exists".
 */
export class ExampleNotes1764500000000 implements MigrationInterface {
  name = 'ExampleNotes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'notes',
        columns: noteColumns(queryRunner),
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

/**
 * The same columns on SQLite and MySQL/MariaDB (utf8mb4; ids compared exactly); on PostgreSQL,
 * `uuid` ids (the users' id it points at is one there) and a `timestamptz`.
 */
function noteColumns(queryRunner: QueryRunner): TableColumnOptions[] {
  const type = queryRunner.connection.driver.options.type;
  const mysql = type === 'mysql' || type === 'mariadb';
  const postgres = type === 'postgres';
  const text = (collation: string) => (mysql ? { charset: 'utf8mb4', collation } : {});
  const id = (name: string): TableColumnOptions =>
    postgres
      ? { name, type: 'uuid' }
      : { name, type: 'varchar', length: '36', ...text('utf8mb4_bin') };
  return [
    { ...id('id'), isPrimary: true },
    id('owner_id'),
    {
      name: 'title',
      type: 'varchar',
      length: '200',
      isNullable: false,
      ...text('utf8mb4_unicode_ci'),
    },
    { name: 'body', type: 'text', ...text('utf8mb4_unicode_ci') },
    postgres
      ? { name: 'created_at', type: 'timestamptz', default: 'now()' }
      : mysql
        ? { name: 'created_at', type: 'datetime', precision: 6, default: 'CURRENT_TIMESTAMP(6)' }
        : { name: 'created_at', type: 'datetime', default: "datetime('now')" },
  ];
}
