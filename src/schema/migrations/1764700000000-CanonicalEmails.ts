import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { canonicalEmail } from '../../users/canonical-email';
import { SchemaPlan } from '../gatehouse-tables';

/**
 * Stores every address of Gatehouse's own users table in its canonical form (canonicalEmail),
 * which logins and registrations now compare in. Nothing to do when the accounts are the host's.
 *
 * Two rows that fold into one address (twin accounts, the reason for the rule) cannot both take
 * it: the one whose address already is canonical, else the older, does; the other keeps its
 * address as stored, so it no longer matches a login, and is counted in a warning (ids, never
 * addresses) for an administrator to look at, as is one whose canonical form would not fit the
 * column. An address with hidden characters stays as it is.
 */
export const canonicalEmails = ({ tables, ownUsers }: SchemaPlan) =>
  class CanonicalEmails1764700000000 implements MigrationInterface {
    name = 'CanonicalEmails1764700000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      if (!ownUsers) return;
      const rows = await queryRunner.manager
        .createQueryBuilder()
        .select(['u.id AS id', 'u.email AS email'])
        .from(tables.users, 'u')
        .orderBy('u.created_at', 'ASC')
        .addOrderBy('u.id', 'ASC')
        .getRawMany<{ id: string; email: string }>();
      const canonical = rows.map((row) => ({ ...row, form: canonicalEmail(row.email) }));
      const taken = new Set(
        canonical.filter((row) => row.form === row.email).map((row) => row.email),
      );
      const twins: string[] = [];
      for (const row of canonical) {
        if (row.form === undefined || row.form === row.email) continue;
        // Longer than the column once expanded (ligatures): left as it is, named below.
        if (row.form.length > 254) {
          twins.push(row.id);
          continue;
        }
        if (taken.has(row.form)) {
          twins.push(row.id);
          continue;
        }
        taken.add(row.form);
        await queryRunner.manager
          .createQueryBuilder()
          .update(tables.users)
          .set({ email: row.form })
          .where('id = :id', { id: row.id })
          .execute();
      }
      if (twins.length > 0) {
        new Logger('Migration').warn(
          `${twins.length} account(s) keep their address as stored, since its canonical form is an older account's (or too long), and no longer match a login: ${twins.join(', ')}`,
        );
      }
    }

    async down(): Promise<void> {
      // The original spellings are gone; the canonical ones are valid addresses all the same.
    }
  };
