import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * Users, issued tokens and the example notes. Written with TypeORM's portable schema API so one
 * migration serves SQLite and MySQL/MariaDB; only column defaults differ between the two.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.driver.options.type;
    const mysql = type === 'mysql' || type === 'mariadb';
    // Creation/update stamps: TypeORM's own defaults (microseconds on MySQL, seconds on SQLite).
    const stamp = (name: string, onUpdate = false): TableColumnOptions =>
      mysql
        ? {
            name,
            type: 'datetime',
            precision: 6,
            default: 'CURRENT_TIMESTAMP(6)',
            onUpdate: onUpdate ? 'CURRENT_TIMESTAMP(6)' : undefined,
          }
        : { name, type: 'datetime', default: "datetime('now')" };
    const id = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '36' });
    const time = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: 3,
      ...extra,
    });

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...id('id'), isPrimary: true },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'password_hash', type: 'varchar', length: '100' },
          { name: 'roles', type: 'text' },
          { name: 'disabled', type: 'boolean', default: 0 },
          stamp('created_at'),
          stamp('updated_at', true),
        ],
        indices: [{ name: 'UQ_users_email', columnNames: ['email'], isUnique: true }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'tokens',
        columns: [
          { ...id('jti'), isPrimary: true },
          id('user_id'),
          { name: 'type', type: 'varchar', length: '16' },
          id('family_id'),
          time('issued_at'),
          time('expires_at'),
          { name: 'revoked', type: 'boolean', default: 0 },
          time('revoked_at', { isNullable: true }),
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [
          { name: 'IDX_tokens_user_id', columnNames: ['user_id'] },
          { name: 'IDX_tokens_family_id', columnNames: ['family_id'] },
          { name: 'IDX_tokens_expires_at', columnNames: ['expires_at'] },
        ],
        foreignKeys: [
          {
            name: 'FK_tokens_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'notes',
        columns: [
          { ...id('id'), isPrimary: true },
          id('owner_id'),
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'body', type: 'text' },
          stamp('created_at'),
        ],
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
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notes');
    await queryRunner.dropTable('tokens');
    await queryRunner.dropTable('users');
  }
}
