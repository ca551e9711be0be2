import { databaseKinds } from './support/databases';
import { TestApp, createTestApp } from './support/test-app';

/** One account per person-visible address: look-alikes fold into one, hidden characters are refused. */
describe.each(databaseKinds())('email addresses on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  }, 60_000);
  afterAll(() => t?.close());

  const password = 'a perfectly fine password';
  const register = (email: string) => t.http().post('/auth/register').send({ email, password });

  it.each([
    [
      'full-width letters',
      (local: string) =>
        `${[...local].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')}@example.com`,
    ],
    ['upper case', (local: string) => `${local.toUpperCase()}@EXAMPLE.com`],
    ['a full-width @', (local: string) => `${local}\uff20example.com`],
  ])('refuses a twin spelled with %s, and signs the owner in with it', async (_label, spell) => {
    const local = `ada${Date.now() % 100000}x${Math.floor(Math.random() * 1000)}`;
    const created = await register(`${local}@example.com`).expect(201);
    expect(created.body).toMatchObject({ email: `${local}@example.com` });
    const twin = await register(spell(local)).expect(409);
    expect(twin.body).toMatchObject({ code: 'EMAIL_TAKEN' });
    await t
      .http()
      .post('/auth/login')
      .send({ email: spell(local), password })
      .expect(200);
  });

  it('stores a decomposed accent composed: the two spellings are one account', async () => {
    const suffix = Date.now();
    const created = await register(`jose\u0301${suffix}@example.com`).expect(201);
    expect(created.body).toMatchObject({ email: `jos\u00e9${suffix}@example.com` });
    await register(`jos\u00e9${suffix}@example.com`).expect(409);
  });

  it.each([
    ['CR LF', 'eve@example.com\r\nBcc: all@example.com'],
    ['a trailing LF', 'eve@example.com\n'],
    ['a zero-width space', 'e\u200bve@example.com'],
    ['a right-to-left override', '\u202emoc.elpmaxe@eve'],
    ['a soft hyphen', 'e\u00adve@example.com'],
  ])(
    'refuses an address with %s, at registration, login and the token endpoint alike',
    async (_label, email) => {
      const refused = await register(email).expect(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(JSON.stringify(refused.body.details)).toMatch(
        /control, invisible, format or direction/,
      );
      await t.http().post('/auth/login').send({ email, password }).expect(400);
      await t.http().post('/auth/password/forgot').send({ email }).expect(400);
      const token = await t
        .http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'password', username: email, password });
      expect(token.status).toBe(400);
    },
  );
});
