import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey } from 'typeorm';
import { portableColumns } from './portable-columns';

const userForeignKey = (table: string): TableForeignKey =>
  new TableForeignKey({
    name: `FK_${table}_user_id`,
    columnNames: ['user_id'],
    referencedTableName: 'users',
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
  });

/**
 * Verified email addresses, one-time tokens (verification and reset links, the MFA step) and
 * TOTP two-factor with its recovery codes. Existing accounts start unverified: nothing proves
 * their addresses yet, and AUTH_REQUIRE_VERIFIED_EMAIL is off by default.
 */
export class AccountLifecycle1764300000000 implements MigrationInterface {
  name = 'AccountLifecycle1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { id, string, time } = portableColumns(queryRunner);
    await queryRunner.addColumn('users', new TableColumn(time('email_verified_at', true)));

    await queryRunner.createTable(
      new Table({
        name: 'one_time_tokens',
        columns: [
          id('id', true),
          string('token_hash', 43, { exact: true }),
          string('purpose', 32),
          id('user_id'),
          time('created_at'),
          time('expires_at'),
          time('used_at', true),
        ],
        indices: [
          { name: 'UQ_one_time_tokens_token_hash', columnNames: ['token_hash'], isUnique: true },
          { name: 'IDX_one_time_tokens_user_purpose', columnNames: ['user_id', 'purpose'] },
          { name: 'IDX_one_time_tokens_expires_at', columnNames: ['expires_at'] },
        ],
        foreignKeys: [userForeignKey('one_time_tokens')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'user_mfa',
        columns: [
          id('user_id', true),
          string('secret', 255, { exact: true }),
          time('enabled_at', true),
          { name: 'last_used_step', type: 'integer', isNullable: true },
          time('created_at'),
        ],
        foreignKeys: [userForeignKey('user_mfa')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'mfa_recovery_codes',
        columns: [
          id('id', true),
          id('user_id'),
          string('code_hash', 64, { exact: true }),
          time('created_at'),
          time('used_at', true),
        ],
        indices: [{ name: 'IDX_mfa_recovery_codes_user_id', columnNames: ['user_id'] }],
        foreignKeys: [userForeignKey('mfa_recovery_codes')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mfa_recovery_codes');
    await queryRunner.dropTable('user_mfa');
    await queryRunner.dropTable('one_time_tokens');
    await queryRunner.dropColumn('users', 'email_verified_at');
  }
}
