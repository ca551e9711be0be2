import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { SchemaPlan, assertFree } from '../gatehouse-tables';
import { portableColumns } from './portable-columns';

/**
 * Verified email addresses, one-time tokens (verification and reset links, the MFA step) and
 * TOTP two-factor with its recovery codes. Existing accounts start unverified: nothing proves
 * their addresses yet, and AUTH_REQUIRE_VERIFIED_EMAIL is off by default.
 */
export const accountLifecycle = ({ prefix, tables, ownUsers }: SchemaPlan) =>
  class AccountLifecycle1764300000000 implements MigrationInterface {
    name = 'AccountLifecycle1764300000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      const { index, id, uuid, string, time } = portableColumns(queryRunner, prefix);
      if (ownUsers)
        await queryRunner.addColumn(tables.users, new TableColumn(time('email_verified_at', true)));
      for (const name of [tables.oneTimeTokens, tables.userMfa, tables.recoveryCodes])
        await assertFree(queryRunner, name);

      await queryRunner.createTable(
        new Table({
          name: tables.oneTimeTokens,
          columns: [
            uuid('id', true),
            string('token_hash', 43, { exact: true }),
            string('purpose', 32),
            id('user_id'),
            time('created_at'),
            time('expires_at'),
            time('used_at', true),
          ],
          indices: [
            {
              name: index('UQ_one_time_tokens_token_hash'),
              columnNames: ['token_hash'],
              isUnique: true,
            },
            {
              name: index('IDX_one_time_tokens_user_purpose'),
              columnNames: ['user_id', 'purpose'],
            },
            { name: index('IDX_one_time_tokens_expires_at'), columnNames: ['expires_at'] },
          ],
        }),
      );

      await queryRunner.createTable(
        new Table({
          name: tables.userMfa,
          columns: [
            id('user_id', true),
            string('secret', 255, { exact: true }),
            time('enabled_at', true),
            { name: 'last_used_step', type: 'integer', isNullable: true },
            time('created_at'),
          ],
        }),
      );

      await queryRunner.createTable(
        new Table({
          name: tables.recoveryCodes,
          columns: [
            uuid('id', true),
            id('user_id'),
            string('code_hash', 64, { exact: true }),
            time('created_at'),
            time('used_at', true),
          ],
          indices: [{ name: index('IDX_mfa_recovery_codes_user_id'), columnNames: ['user_id'] }],
        }),
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(tables.recoveryCodes);
      await queryRunner.dropTable(tables.userMfa);
      await queryRunner.dropTable(tables.oneTimeTokens);
      if (ownUsers) await queryRunner.dropColumn(tables.users, 'email_verified_at');
    }
  };
