import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { waitFor } from '../../test/support/processes';
import { unitImports } from '../../test/support/unit';
import { User } from '../users/entities/user.entity';
import { TransactionsModule } from './transactions.module';
import { Transactions } from './transactions.service';

const deadlock = () =>
  Object.assign(new Error('Deadlock found'), {
    driverError: Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' }),
  });

describe('Transactions (SQLite)', () => {
  let moduleRef: TestingModule;
  let transactions: Transactions;
  let dataSource: DataSource;

  async function open(databaseTimeoutMs = 5000) {
    moduleRef = await Test.createTestingModule({
      imports: [
        ...(await unitImports({ databaseTimeoutMs })),
        TypeOrmModule.forFeature([User]),
        TransactionsModule,
      ],
    }).compile();
    await moduleRef.init();
    transactions = moduleRef.get(Transactions);
    dataSource = moduleRef.get(DataSource);
  }
  afterEach(() => moduleRef.close());

  const user = (email: string) => ({ id: randomUUID(), email, passwordHash: 'x', roles: ['user'] });
  const emails = async () =>
    (await dataSource.getRepository(User).find({ order: { email: 'ASC' } })).map((u) => u.email);

  it('keeps statements from elsewhere out of an open transaction, and so out of its rollback', async () => {
    await open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const open_ = new Promise<void>((resolve) => (opened = resolve));
    const events: string[] = [];
    const failing = transactions.run(async (manager: EntityManager) => {
      await manager.insert(User, user('inside@example.com'));
      opened();
      await held;
      events.push('transaction rolls back');
      throw new Error('changed its mind');
    });
    await open_;
    const gate = (
      transactions as unknown as { sqlite: { bounded: (...args: unknown[]) => unknown } }
    ).sqlite;
    const waits = jest.spyOn(gate, 'bounded');
    // Issued while the transaction is open: on one shared connection it would have joined it.
    const outside = dataSource
      .getRepository(User)
      .insert(user('outside@example.com'))
      .then(() => events.push('outside written'));
    // Until the statement is either held at the gate, or (the bug) already written.
    await waitFor(
      () =>
        Promise.resolve(
          events.includes('outside written') ||
            waits.mock.calls.some(([, what]) => what === 'for a transaction to end'),
        ),
      5000,
      'the outside statement issued',
    );
    release();
    await expect(failing).rejects.toThrow('changed its mind');
    await outside;
    expect(events).toEqual(['transaction rolls back', 'outside written']);
    expect(await emails()).toEqual(['outside@example.com']);
  });

  it('runs concurrent transactions one after the other, each committing its own work', async () => {
    await open();
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        transactions.run(async (manager) => {
          await manager.insert(User, user(`${name}1@example.com`));
          await tick();
          await manager.insert(User, user(`${name}2@example.com`));
        }),
      ),
    );
    expect(await emails()).toHaveLength(6);
  });

  it('waits for a transaction the shared connection opened itself (a save) instead of nesting in it', async () => {
    await open();
    const repo = dataSource.getRepository(User);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? repo.save(repo.create(user(`save${i}@example.com`)))
          : transactions.run((manager) => manager.insert(User, user(`run${i}@example.com`))),
      ),
    );
    expect(await emails()).toHaveLength(20);
  });

  it('leaves a clean connection when even ROLLBACK fails, and reports the first error', async () => {
    await open();
    const Runner = dataSource.driver.createQueryRunner('master').constructor as {
      prototype: { rollbackTransaction(): Promise<void> };
    };
    const rollback = jest
      .spyOn(Runner.prototype, 'rollbackTransaction')
      .mockRejectedValueOnce(new Error('cannot rollback'));
    await expect(
      transactions.run(async (manager) => {
        await manager.insert(User, user('lost@example.com'));
        throw new Error('the real problem');
      }),
    ).rejects.toThrow('the real problem');
    rollback.mockRestore();
    await transactions.run((manager) => manager.insert(User, user('kept@example.com')));
    const connection = (
      dataSource.driver as unknown as { databaseConnection: { inTransaction: boolean } }
    ).databaseConnection;
    expect(connection.inTransaction).toBe(false);
    expect(await emails()).toEqual(['kept@example.com']);
  });

  it('answers a statement kept waiting longer than DATABASE_TIMEOUT with SQLITE_BUSY (503)', async () => {
    await open(50);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let opened!: () => void;
    const open_ = new Promise<void>((resolve) => (opened = resolve));
    const slow = transactions.run(() => (opened(), held));
    await open_;
    await expect(dataSource.getRepository(User).count()).rejects.toMatchObject({
      code: 'SQLITE_BUSY',
    });
    release();
    await slow;
    await expect(dataSource.getRepository(User).count()).resolves.toBe(0);
  });

  it('runs the whole unit again after a deadlock', async () => {
    await open();
    let attempts = 0;
    const result = await transactions.run(async (manager) => {
      attempts++;
      await manager.insert(User, user(`try${attempts}@example.com`));
      if (attempts < 3) throw deadlock();
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
    // The failed attempts were rolled back whole.
    expect(await emails()).toEqual(['try3@example.com']);
  });

  it('gives up after four attempts, with the deadlock error for the filter to answer 503', async () => {
    await open();
    let attempts = 0;
    await expect(
      transactions.run(() => {
        attempts++;
        return Promise.reject(deadlock());
      }),
    ).rejects.toMatchObject({ driverError: { code: 'ER_LOCK_DEADLOCK' } });
    expect(attempts).toBe(4);
  });

  it('does not retry any other error', async () => {
    await open();
    let attempts = 0;
    await expect(
      transactions.run(() => {
        attempts++;
        return Promise.reject(new Error('constraint'));
      }),
    ).rejects.toThrow('constraint');
    expect(attempts).toBe(1);
  });
});
