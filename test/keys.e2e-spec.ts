import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildAppOnce, ROOT, waitFor } from './support/processes';
import { TEST_AUDIENCE, TEST_ISSUER, TestApp, createTestApp } from './support/test-app';

interface Verdict {
  ok: boolean;
  alg?: string;
  kid?: string;
  sub?: string;
  error?: string;
}

const run = promisify(execFile);

/**
 * Another service verifying our tokens: jose in its own process, with nothing but the JWKS URL.
 * Its environment is emptied so no secret or key path can reach it.
 */
async function outsideVerifier(jwks: string, tokens: string[]): Promise<Verdict[]> {
  const child = run(process.execPath, [join(ROOT, 'test/support/jose-verifier.mjs')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
  });
  child.child.stdin?.end(
    JSON.stringify({ jwks, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, tokens }),
  );
  return JSON.parse((await child).stdout) as Verdict[];
}

const header = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as {
    alg: string;
    kid?: string;
  };

describe.each(['ES256', 'RS256'])('signing with %s', (algorithm) => {
  let t: TestApp;
  let keysDir: string;
  let base: string;

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    t = await createTestApp('sqlite', {
      JWT_ALGORITHM: algorithm,
      JWT_KEYS_DIR: keysDir,
      JWT_KEYS_RELOAD_INTERVAL: '1s',
    });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('publishes public keys only, and signs with a kid an outside verifier resolves', async () => {
    const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
    const keys = (jwks.body as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ alg: algorithm, use: 'sig', kid: expect.any(String) });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(keys[0]).not.toHaveProperty(privateMember);
    expect(jwks.headers['cache-control']).toMatch(/max-age=\d+/);

    const user = await t.register();
    const { access, refresh } = await t.login(user.email, user.password);
    expect(header(access)).toMatchObject({ alg: algorithm, kid: keys[0].kid });
    const [a, r] = await outsideVerifier(`${base}/.well-known/jwks.json`, [access, refresh]);
    expect(a).toMatchObject({ ok: true, alg: algorithm, sub: user.id });
    // A refresh token is signed by the same key; telling it apart is the `typ` claim's job.
    expect(r).toMatchObject({ ok: true });
  });

  it('refuses tampered tokens, on our side and on the outside verifier', async () => {
    const user = await t.register();
    const { access } = await t.login(user.email, user.password);
    const [h, p, s] = access.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const elevated = Buffer.from(JSON.stringify({ ...claims, roles: ['user', 'admin'] })).toString(
      'base64url',
    );
    const tampered = [`${h}.${elevated}.${s}`, `${h}.${p}.${s.slice(0, -4)}AAAA`];
    const verdicts = await outsideVerifier(`${base}/.well-known/jwks.json`, tampered);
    expect(verdicts.every((v) => !v.ok)).toBe(true);
    for (const token of tampered) {
      await t.http().get('/users/me').set('Authorization', `Bearer ${token}`).expect(401);
    }
  });
});

describe('key rotation with npm run keys:rotate', () => {
  let t: TestApp;
  let keysDir: string;
  let base: string;

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    t = await createTestApp('sqlite', {
      JWT_ALGORITHM: 'ES256',
      JWT_KEYS_DIR: keysDir,
      JWT_KEYS_RELOAD_INTERVAL: '1s',
    });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    // The CLI runs compiled, as `npm run keys:rotate` does.
    buildAppOnce();
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const rotateCli = (...args: string[]) =>
    run(process.execPath, [join(dirname(buildAppOnce()), 'cli/keys-rotate.js'), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        JWT_ALGORITHM: 'ES256',
        JWT_KEYS_DIR: keysDir,
        JWT_REFRESH_TTL: '1d',
      },
    });

  it('keeps tokens of the old key valid everywhere, and signs with the new key once it activates', async () => {
    const user = await t.register();
    const before = await t.login(user.email, user.password);
    const oldKid = header(before.access).kid;

    // Activation in the future: the key is published by the next reload but does not sign yet.
    const pending = await rotateCli('--activate-in', '1h');
    expect(pending.stdout + pending.stderr).not.toMatch(/PRIVATE KEY/);
    await waitFor(
      async () =>
        ((await t.http().get('/.well-known/jwks.json')).body as { keys: unknown[] }).keys.length ===
        2,
      5000,
      'pending key published',
    );
    const stillOld = await t.login(user.email, user.password);
    expect(header(stillOld.access).kid).toBe(oldKid);

    // Activating now: the next reload makes it the signer.
    await rotateCli('--activate-in', '0s');
    expect(readdirSync(keysDir)).toHaveLength(3);
    let after = stillOld;
    await waitFor(
      async () => {
        after = await t.login(user.email, user.password);
        return header(after.access).kid !== oldKid;
      },
      5000,
      'new key signing',
    );

    const jwks = (await t.http().get('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(oldKid);
    const verdicts = await outsideVerifier(`${base}/.well-known/jwks.json`, [
      before.access,
      after.access,
    ]);
    expect(verdicts).toEqual([
      expect.objectContaining({ ok: true, kid: oldKid }),
      expect.objectContaining({ ok: true, kid: header(after.access).kid }),
    ]);
    await t.http().get('/users/me').set('Authorization', `Bearer ${before.access}`).expect(200);
    await t.http().get('/users/me').set('Authorization', `Bearer ${after.access}`).expect(200);
    // A token signed before the rotation still refreshes.
    await t.http().post('/auth/refresh').send({ refresh_token: before.refresh }).expect(200);
  }, 30_000);

  it('prunes nothing while tokens of a key can still be alive', async () => {
    const files = readdirSync(keysDir).length;
    const { stderr, stdout } = await rotateCli('--prune');
    expect(`${stdout}${stderr}`).toMatch(/nothing to prune/);
    expect(`${stdout}${stderr}`).not.toMatch(/pruned key/);
    expect(readdirSync(keysDir)).toHaveLength(files);
  }, 30_000);
});

describe('EdDSA', () => {
  it('is refused at boot, saying why: jsonwebtoken, under @nestjs/jwt and passport-jwt, has none', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
    try {
      await expect(
        createTestApp('sqlite', { JWT_ALGORITHM: 'EdDSA', JWT_KEYS_DIR: keysDir }),
      ).rejects.toThrow(/JWT_ALGORITHM must be one of HS256, ES256, RS256 \(EdDSA is not offered/);
      expect(readdirSync(keysDir)).toHaveLength(0);
    } finally {
      rmSync(keysDir, { recursive: true, force: true });
    }
  });
});
