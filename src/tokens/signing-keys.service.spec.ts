import { ConfigService } from '@nestjs/config';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAuthConfig } from '../../test/support/unit';
import type { AuthConfig } from '../config/auth.config';
import { ConfigValidationError } from '../config/env.validation';
import { writeKeyFile } from '../keys/key-files';
import { generateSigningKey, toStoredKey } from '../keys/signing-key';
import { SigningKeys } from './signing-keys.service';

describe('SigningKeys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keysFor = (overrides: Partial<AuthConfig>) => {
    const auth = testAuthConfig({
      algorithm: 'ES256',
      key: undefined,
      keys: { dir, reloadIntervalMs: 0 },
      ...overrides,
    });
    return new SigningKeys({ get: () => auth } as unknown as ConfigService as never);
  };

  it('generates a development key once, owner-readable only, and signs with it', () => {
    const keys = keysFor({});
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0])).mode & 0o777).toBe(0o600);
    const kid = keys.signingKid();
    expect(files[0]).toBe(`${kid}.json`);
    expect(keysFor({}).signingKid()).toBe(kid);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([kid]);
  });

  it('refuses to start in production without a key, naming where it looked', () => {
    expect(() => keysFor({ isProduction: true })).toThrow(ConfigValidationError);
    expect(() => keysFor({ isProduction: true })).toThrow(/JWT_KEYS_DIR/);
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it('refuses keys of another algorithm than JWT_ALGORITHM', () => {
    writeKeyFile(dir, generateSigningKey('RS256', Date.now()));
    expect(() => keysFor({ isProduction: true })).toThrow(/is RS256, but JWT_ALGORITHM is ES256/);
  });

  it('takes keys from JWT_KEYS and writes no file', () => {
    const key = generateSigningKey('ES256', Date.now() - 1000);
    const keys = keysFor({
      isProduction: true,
      keys: { dir, variable: JSON.stringify([toStoredKey(key)]), reloadIntervalMs: 0 },
    });
    expect(keys.signingKid()).toBe(key.kid);
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it('picks up a rotated key on reload, and keeps verifying tokens of the old one', () => {
    const keys = keysFor({});
    const old = { kid: keys.signingKid() };
    const activatesAt = Date.now() + 60_000;
    const next = generateSigningKey('ES256', activatesAt);
    writeKeyFile(dir, next);
    keys.reload();
    expect(keys.signingKid(activatesAt - 1)).toBe(old.kid);
    expect(keys.signingKid(activatesAt)).toBe(next.kid);
    expect(keys.verificationKey(old.kid, activatesAt)).toBeDefined();
    expect(
      keys
        .jwks()
        .keys.map((k) => k.kid)
        .sort(),
    ).toEqual([old.kid, next.kid].sort());
  });

  it('keeps the loaded keys when the directory turns unreadable', () => {
    const keys = keysFor({});
    const before = keys.signingKid();
    writeFileSync(join(dir, 'broken.json'), '{not json');
    keys.reload();
    expect(keys.signingKid()).toBe(before);
  });

  it('under HS256 publishes nothing and accepts no kid', () => {
    const keys = new SigningKeys({
      get: () => testAuthConfig(),
    } as unknown as ConfigService as never);
    expect(keys.jwks()).toEqual({ keys: [] });
    expect(keys.verificationKey('anything')).toBeUndefined();
    expect(keys.verificationKey(undefined)).toBeDefined();
    expect(keys.keyForToken('a.b.c')).toBeUndefined();
  });
});
