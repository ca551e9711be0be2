/** The tables Gatehouse owns, by role. */
export interface GatehouseTables {
  users: string;
  tokens: string;
  sessions: string;
  revocationOutbox: string;
  oneTimeTokens: string;
  userMfa: string;
  recoveryCodes: string;
  passkeys: string;
  passkeyChallenges: string;
}

/** Their names before any prefix: what databases made before prefixes have. */
export const BARE_TABLES: GatehouseTables = {
  users: 'users',
  tokens: 'tokens',
  sessions: 'sessions',
  revocationOutbox: 'revocation_outbox',
  oneTimeTokens: 'one_time_tokens',
  userMfa: 'user_mfa',
  recoveryCodes: 'mfa_recovery_codes',
  passkeys: 'passkeys',
  passkeyChallenges: 'passkey_challenges',
};

/** What the migrations build: which tables, under which names. */
export interface SchemaPlan {
  prefix: string;
  tables: GatehouseTables;
  /** Whether Gatehouse keeps the accounts (its users table) or the host does. */
  ownUsers: boolean;
}

/** The longest prefix that keeps every name within MySQL's 64 characters. */
const MAX_PREFIX = 40;

export function schemaPlan(prefix: string, ownUsers: boolean): SchemaPlan {
  if (!/^[A-Za-z0-9_]*$/.test(prefix) || prefix.length > MAX_PREFIX) {
    throw new Error(
      `gatehouseSchema: tablePrefix "${prefix}" must be letters, digits and "_", at most ${MAX_PREFIX} characters`,
    );
  }
  const tables = Object.fromEntries(
    Object.entries(BARE_TABLES).map(([role, name]) => [role, `${prefix}${name}`]),
  ) as unknown as GatehouseTables;
  return { prefix, tables, ownUsers };
}

/**
 * Stops a migration before it creates a table whose name the host already uses, naming the option
 * that avoids it (rather than the driver's "already exists").
 */
export async function assertFree(
  queryRunner: { hasTable(name: string): Promise<boolean> },
  name: string,
): Promise<void> {
  if (await queryRunner.hasTable(name)) {
    throw new Error(
      `Gatehouse's migration would create the table ${name}, which already exists: choose another tablePrefix in gatehouseSchema()`,
    );
  }
}
