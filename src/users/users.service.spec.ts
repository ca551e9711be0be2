import { Test, TestingModule } from '@nestjs/testing';
import { sqliteMemoryModule } from '../../test/support/unit';
import { ErrorCode } from '../common/errors/domain-error';
import { UserStoreModule } from './user-store.module';
import { UsersService, normalizeEmail } from './users.service';

describe('UsersService', () => {
  let moduleRef: TestingModule;
  let users: UsersService;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [sqliteMemoryModule(), UserStoreModule.forRoot()],
      providers: [UsersService],
    }).compile();
    await moduleRef.init();
    users = moduleRef.get(UsersService);
  });
  afterEach(() => moduleRef.close());

  it('normalises emails: trimmed and lower-cased', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
  });

  it('creates a user with a uuid, the user role and normalised email', async () => {
    const user = await users.create({ email: ' Ada@Example.com', passwordHash: 'h' });
    expect(user).toMatchObject({ email: 'ada@example.com', roles: ['user'], disabled: false });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(users.findByEmail('ADA@example.com')).resolves.toMatchObject({ id: user.id });
  });

  it('refuses a second account for the same email in another case', async () => {
    await users.create({ email: 'ada@example.com', passwordHash: 'h' });
    await expect(
      users.create({ email: 'ADA@example.com', passwordHash: 'h' }),
    ).rejects.toMatchObject({
      code: ErrorCode.EmailTaken,
    });
  });

  it('maps a unique-index race to EMAIL_TAKEN', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        users.create({ email: 'race@example.com', passwordHash: 'h' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: ErrorCode.EmailTaken });
    }
  });

  it('lists page by page with the total', async () => {
    for (const n of [1, 2, 3])
      await users.create({ email: `u${n}@example.com`, passwordHash: 'h' });
    const page = await users.list(2, 1);
    expect(page.total).toBe(3);
    expect(page.items).toHaveLength(2);
  });

  it('answers NOT_FOUND for an unknown id', async () => {
    await expect(users.getById('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });
});
