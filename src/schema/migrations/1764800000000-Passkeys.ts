import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { SchemaPlan, assertFree } from '../gatehouse-tables';
import { portableColumns } from './portable-columns';

/**
 * Passkeys (WebAuthn credentials), the challenges handed out for them, and which passkey signed
 * each session in (so that removing one ends its sessions). Existing sessions were signed in by
 * password: their passkey is null.
 */
export const passkeys = ({ prefix, tables }: SchemaPlan) =>
  class Passkeys1764800000000 implements MigrationInterface {
    name = 'Passkeys1764800000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      const { index, id, uuid, string, text, time, flag } = portableColumns(queryRunner, prefix);
      for (const name of [tables.passkeys, tables.passkeyChallenges])
        await assertFree(queryRunner, name);

      await queryRunner.createTable(
        new Table({
          name: tables.passkeys,
          columns: [
            uuid('id', true),
            id('user_id'),
            text('credential_id'),
            string('credential_hash', 43, { exact: true }),
            text('public_key'),
            { name: 'counter', type: 'bigint', default: 0 },
            string('name', 64),
            string('transports', 255, { nullable: true }),
            string('aaguid', 36),
            string('device_type', 16),
            flag('backed_up'),
            time('created_at'),
            time('last_used_at', true),
          ],
          indices: [
            { name: index('IDX_passkeys_user_id'), columnNames: ['user_id'] },
            {
              name: index('UQ_passkeys_credential_hash'),
              columnNames: ['credential_hash'],
              isUnique: true,
            },
          ],
        }),
      );

      await queryRunner.createTable(
        new Table({
          name: tables.passkeyChallenges,
          columns: [
            uuid('id', true),
            string('challenge_hash', 43, { exact: true }),
            string('purpose', 32),
            { ...id('user_id'), isNullable: true },
            time('created_at'),
            time('expires_at'),
          ],
          indices: [
            {
              name: index('UQ_passkey_challenges_hash'),
              columnNames: ['challenge_hash'],
              isUnique: true,
            },
            { name: index('IDX_passkey_challenges_expires_at'), columnNames: ['expires_at'] },
          ],
        }),
      );

      await queryRunner.addColumn(
        tables.sessions,
        new TableColumn({ ...uuid('passkey_id'), isNullable: true }),
      );
      await queryRunner.createIndex(
        tables.sessions,
        new TableIndex({ name: index('IDX_sessions_passkey_id'), columnNames: ['passkey_id'] }),
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const { index } = portableColumns(queryRunner, prefix);
      await queryRunner.dropIndex(tables.sessions, index('IDX_sessions_passkey_id'));
      await queryRunner.dropColumn(tables.sessions, 'passkey_id');
      await queryRunner.dropTable(tables.passkeyChallenges);
      await queryRunner.dropTable(tables.passkeys);
    }
  };
