import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { passkeysTestModule } from '../../test/support/unit';
import { ErrorCode } from '../common/errors/domain-error';
import { Passkey } from './entities/passkey.entity';
import { PasskeysService, credentialHash } from './passkeys.service';

describe('PasskeysService', () => {
  let moduleRef: TestingModule;
  let passkeys: PasskeysService;
  let row: Passkey;

  const stored = async () =>
    (await moduleRef.get(DataSource).getRepository(Passkey).findOneBy({ id: row.id })) as Passkey;

  beforeEach(async () => {
    moduleRef = await passkeysTestModule();
    passkeys = moduleRef.get(PasskeysService);
    row = {
      id: '2b7e151e-0000-4000-8000-000000000001',
      userId: 'ada',
      credentialId: 'Y3JlZGVudGlhbA',
      credentialHash: credentialHash('Y3JlZGVudGlhbA'),
      publicKey: 'cose',
      counter: 0,
      name: 'Phone',
      transports: 'internal,hybrid',
      aaguid: '00000000-0000-0000-0000-000000000000',
      deviceType: 'multiDevice',
      backedUp: true,
      createdAt: new Date(),
      lastUsedAt: null,
    };
    await moduleRef
      .get(DataSource)
      .getRepository(Passkey)
      .insert({ ...row });
  });
  afterEach(() => moduleRef.close());

  it('finds a passkey by its credential id, and only its owner’s by id', async () => {
    await expect(passkeys.findByCredential('Y3JlZGVudGlhbA')).resolves.toMatchObject({
      id: row.id,
    });
    await expect(passkeys.findByCredential('b3RoZXI')).resolves.toBeNull();
    await expect(passkeys.get('bob', row.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(passkeys.rename('bob', row.id, 'mine')).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    expect(await passkeys.delete('bob', row.id)).toBe(false);
    expect(await passkeys.exists(row.id)).toBe(true);
  });

  it('records a use only when the counter moves forward, judged by the row, not the caller’s copy', async () => {
    expect(await passkeys.recordUse(row, 3)).toBe(true);
    expect(await stored()).toMatchObject({ counter: 3 });
    // A second answer read the row before the first was recorded: its copy says 0, the row 3.
    expect(await passkeys.recordUse(row, 3)).toBe(false);
    expect(await passkeys.recordUse(row, 2)).toBe(false);
    expect(await passkeys.recordUse(row, 0)).toBe(false);
    expect(await passkeys.recordUse(row, 4)).toBe(true);
    expect((await stored()).lastUsedAt).toBeInstanceOf(Date);
  });

  it('keeps a counter of 0 at 0 for an authenticator that keeps none, and a counter past 2^31', async () => {
    expect(await passkeys.recordUse(row, 0)).toBe(true);
    expect(await passkeys.recordUse(row, 0)).toBe(true);
    expect(await passkeys.recordUse(row, 4_000_000_000)).toBe(true);
    expect(await stored()).toMatchObject({ counter: 4_000_000_000 });
  });
});
