import { ConfigService } from '@nestjs/config';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';
import { testAuthConfig } from '../../test/support/unit';
import { PasswordHasher } from './password-hasher.service';

describe('PasswordHasher', () => {
  const config = { get: () => testAuthConfig({ bcryptCost: 4 }) } as unknown as ConfigService;
  const hasher = new PasswordHasher(config as never);
  afterAll(() => hasher.onApplicationShutdown());

  it('hashes with bcrypt at the configured cost and verifies', async () => {
    const hash = await hasher.hash('correct horse');
    expect(bcrypt.getRounds(hash)).toBe(4);
    await expect(hasher.verify('correct horse', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horsf', hash)).resolves.toBe(false);
  });

  it('normalises Unicode (NFC) so composed and decomposed forms match', async () => {
    const composed = 'caf\u00e9-password';
    const decomposed = 'cafe\u0301-password';
    const hash = await hasher.hash(composed);
    await expect(hasher.verify(decomposed, hash)).resolves.toBe(true);
  });

  it('never matches a password longer than 72 bytes, even if its first 72 bytes do', async () => {
    const base = 'a'.repeat(72);
    const hash = await bcrypt.hash(base, 4);
    await expect(hasher.verify(base, hash)).resolves.toBe(true);
    await expect(hasher.verify(`${base}-and-more`, hash)).resolves.toBe(false);
  });

  it('refuses to hash a password longer than 72 bytes', async () => {
    await expect(hasher.hash('é'.repeat(37))).rejects.toBeInstanceOf(RangeError);
  });

  it('spends a real bcrypt compare when there is no account, and fails', async () => {
    const pool = (hasher as unknown as { pool: { run: (task: object) => Promise<unknown> } }).pool;
    await hasher.verifyAgainstNothing('warm-up');
    const run = jest.spyOn(pool, 'run');
    await expect(hasher.verifyAgainstNothing('whatever')).resolves.toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenCalledWith(
      expect.objectContaining({ op: 'compare', password: 'whatever' }),
    );
    run.mockRestore();
  });

  it('costs what most real hashes cost when there is no account (a host’s hashes need not be at bcryptCost)', async () => {
    const following = new PasswordHasher({ get: () => testAuthConfig({ bcryptCost: 4 }) } as never);
    const pool = (
      following as unknown as { pool: { run: (task: { hash?: string }) => Promise<unknown> } }
    ).pool;
    const run = jest.spyOn(pool, 'run');
    const dummyCost = async () => {
      run.mockClear();
      await following.verifyAgainstNothing('nobody');
      const compare = run.mock.calls.map(([task]) => task).find((task) => task.hash !== undefined);
      return bcrypt.getRounds(compare?.hash ?? '');
    };
    try {
      expect(await dummyCost()).toBe(4);
      const cost5 = await bcrypt.hash('existing', 5);
      const cost6 = await bcrypt.hash('existing', 6);
      await following.verify('wrong', cost5);
      await following.verify('wrong', cost5);
      await following.verify('wrong', cost6);
      expect(await dummyCost()).toBe(5);
      // A hash that is not bcrypt's counts for nothing.
      await following.verify('wrong', 'plain-text');
      expect(await dummyCost()).toBe(5);
    } finally {
      await following.onApplicationShutdown();
    }
  });

  it("hashes and checks on the pool's worker threads, never on the event loop's", async () => {
    const slow = new PasswordHasher({ get: () => testAuthConfig({ bcryptCost: 10 }) } as never);
    const run = jest.spyOn(Piscina.prototype, 'run');
    try {
      const [one] = await Promise.all([slow.hash('password one'), slow.hash('password two')]);
      await expect(slow.verify('password one', one)).resolves.toBe(true);
      // Each went to the pool as a task, and the pool's threads ran them: bcryptjs blocks the
      // thread it runs on for the whole hash, and none ran on this one.
      expect(run.mock.calls.map(([task]) => (task as { op: string }).op)).toEqual([
        'hash',
        'hash',
        'compare',
      ]);
      expect((slow as unknown as { pool: Piscina }).pool.completed).toBe(3);
    } finally {
      run.mockRestore();
      await slow.onApplicationShutdown();
    }
  });
});
