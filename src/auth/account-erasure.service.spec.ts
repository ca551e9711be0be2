import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { unitImports } from '../../test/support/unit';
import { OneTimeToken, OneTimeTokenPurpose } from '../tokens/entities/one-time-token.entity';
import { RecoveryCode } from '../account/entities/recovery-code.entity';
import { UserMfa } from '../account/entities/user-mfa.entity';
import {
  PasskeyChallenge,
  PasskeyChallengePurpose,
} from '../passkeys/entities/passkey-challenge.entity';
import { Passkey } from '../passkeys/entities/passkey.entity';
import { Session } from '../tokens/entities/session.entity';
import { Token } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { TokensModule } from '../tokens/tokens.module';
import { TokensService } from '../tokens/tokens.service';
import { AccountErasure } from './account-erasure.service';

const client = { userAgent: 'spec', ip: '127.0.0.1' };

describe('AccountErasure', () => {
  let moduleRef: TestingModule;
  let erasure: AccountErasure;
  let data: DataSource;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [...(await unitImports()), TokensModule],
      providers: [AccountErasure],
    }).compile();
    await moduleRef.init();
    erasure = moduleRef.get(AccountErasure);
    data = moduleRef.get(DataSource);
  });
  afterEach(() => moduleRef.close());

  /**
   * An account with two sessions, a second factor, recovery codes, a reset link out, a passkey
   * and a challenge for another.
   */
  async function account(id: string): Promise<void> {
    for (let i = 0; i < 2; i += 1)
      await moduleRef.get(TokensService).startSession({ id, roles: ['user'] }, client);
    const now = new Date();
    await data
      .getRepository(UserMfa)
      .insert({ userId: id, secret: 'sealed', enabledAt: now, createdAt: now });
    await data.getRepository(RecoveryCode).insert([
      { id: `${id}-code-1`, userId: id, codeHash: 'a'.repeat(64), createdAt: now, usedAt: null },
      { id: `${id}-code-2`, userId: id, codeHash: 'b'.repeat(64), createdAt: now, usedAt: null },
    ]);
    await data.getRepository(OneTimeToken).insert({
      id: `${id}-reset`,
      tokenHash: `${id}-hash`.padEnd(43, 'x'),
      purpose: OneTimeTokenPurpose.PasswordReset,
      userId: id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      usedAt: null,
    });
    await data.getRepository(Passkey).insert({
      id: `${id}-passkey`,
      userId: id,
      credentialId: `${id}-credential`,
      credentialHash: `${id}-credential`.padEnd(43, 'x'),
      publicKey: 'cose',
      counter: 0,
      name: 'phone',
      transports: null,
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'multiDevice',
      backedUp: true,
      createdAt: now,
      lastUsedAt: null,
    });
    await data.getRepository(PasskeyChallenge).insert({
      id: `${id}-challenge`,
      challengeHash: `${id}-challenge`.padEnd(43, 'x'),
      purpose: PasskeyChallengePurpose.Registration,
      userId: id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 300_000),
    });
  }

  it('ends every session and deletes what a new account with the same id must not inherit', async () => {
    await account('42');
    await account('43');
    await expect(erasure.forget(42)).resolves.toEqual({ revokedTokens: 4, deletedRecords: 6 });

    expect(await data.getRepository(Token).countBy({ userId: '42', revoked: false })).toBe(0);
    expect(
      await data
        .getRepository(Token)
        .countBy({ userId: '42', revokedReason: 'account_deleted' as never }),
    ).toBe(4);
    expect(await data.getRepository(Session).countBy({ userId: '42', revoked: false })).toBe(0);
    for (const entity of [UserMfa, RecoveryCode, OneTimeToken, Passkey, PasskeyChallenge]) {
      expect(await data.getRepository(entity).countBy({ userId: '42' })).toBe(0);
      expect(await data.getRepository(entity).countBy({ userId: '43' })).toBeGreaterThan(0);
    }
    expect(await data.getRepository(Token).countBy({ userId: '43', revoked: false })).toBe(4);
  });

  it('does no harm when called again, or for an id Gatehouse never saw', async () => {
    await account('7');
    await erasure.forget('7');
    await expect(erasure.forget('7')).resolves.toEqual({ revokedTokens: 0, deletedRecords: 0 });
    await expect(erasure.forget(9_007_199_254_740_993n)).resolves.toEqual({
      revokedTokens: 0,
      deletedRecords: 0,
    });
  });

  it('deletes nothing when the revocation fails: one transaction', async () => {
    await account('5');
    jest
      .spyOn(moduleRef.get(TokenRevocationService), 'revokeAllForUser')
      .mockImplementationOnce(async (_id, _reason, _except, alongside) => {
        await data.transaction(async (manager) => {
          await alongside?.(manager);
          throw new Error('COMMIT failed');
        });
        return 0;
      });
    await expect(erasure.forget('5')).rejects.toThrow('COMMIT failed');
    expect(await data.getRepository(UserMfa).countBy({ userId: '5' })).toBe(1);
    expect(await data.getRepository(OneTimeToken).countBy({ userId: '5' })).toBe(1);
  });
});
