import { problemsOf } from '../../test/support/unit';
import { loadPasskeysConfig } from './passkeys.config';

describe('passkeys configuration', () => {
  it('derives the RP id and origin from APP_URL in development', () => {
    expect(loadPasskeysConfig({})).toMatchObject({
      enabled: true,
      rpId: 'localhost',
      rpName: 'Gatehouse',
      origins: ['http://localhost:3000'],
      challengeTtlSeconds: 300,
    });
    expect(
      loadPasskeysConfig({ APP_URL: 'https://App.Example.com/', APP_NAME: 'Acme' }),
    ).toMatchObject({
      rpId: 'app.example.com',
      rpName: 'Acme',
      origins: ['https://app.example.com'],
    });
  });

  it('turns itself off, saying why, for a development APP_URL on an IP address', () => {
    const config = loadPasskeysConfig({ APP_URL: 'http://127.0.0.1:3000' });
    expect(config.enabled).toBe(false);
    expect(config.warnings).toEqual([
      expect.stringMatching(
        /^passkeys are off: APP_URL \(http:\/\/127\.0\.0\.1:3000\).*not an IP address.*PASSKEY_RP_ID/,
      ),
    ]);
    // Asked for, they are checked: the same APP_URL with PASSKEYS=true stops the boot.
    expect(
      problemsOf(() => loadPasskeysConfig({ APP_URL: 'http://127.0.0.1:3000', PASSKEYS: 'true' })),
    ).toEqual([expect.stringMatching(/^PASSKEY_RP_ID must be a domain/)]);
  });

  it('takes a plain http page off localhost in development with a warning, never in production', () => {
    const config = loadPasskeysConfig({
      APP_URL: 'http://app.example.test',
      PASSKEY_ORIGINS: 'http://app.example.test',
    });
    expect(config).toMatchObject({ enabled: true, rpId: 'app.example.test' });
    expect(config.warnings).toEqual([expect.stringMatching(/is plain http/)]);
    expect(loadPasskeysConfig({}).warnings).toEqual([]);
    expect(
      problemsOf(() =>
        loadPasskeysConfig({
          NODE_ENV: 'production',
          PASSKEY_RP_ID: 'example.com',
          PASSKEY_ORIGINS: 'http://app.example.com',
        }),
      ),
    ).toEqual([
      expect.stringMatching(/http:\/\/app\.example\.com must be https when NODE_ENV=production/),
    ]);
  });

  it('takes the RP id and origins given, the RP id as its https origin by default', () => {
    expect(
      loadPasskeysConfig({
        NODE_ENV: 'production',
        PASSKEY_RP_ID: 'example.com',
        PASSKEY_ORIGINS: 'https://app.example.com, https://example.com',
        PASSKEY_CHALLENGE_TTL: '2m',
      }),
    ).toMatchObject({
      rpId: 'example.com',
      origins: ['https://app.example.com', 'https://example.com'],
      challengeTtlSeconds: 120,
    });
    expect(
      loadPasskeysConfig({ NODE_ENV: 'production', PASSKEY_RP_ID: 'example.com' }).origins,
    ).toEqual(['https://example.com']);
  });

  it('refuses in production a missing or localhost RP id, unless passkeys are off', () => {
    expect(problemsOf(() => loadPasskeysConfig({ NODE_ENV: 'production' }))).toEqual([
      expect.stringMatching(/^PASSKEY_RP_ID is required when NODE_ENV=production/),
    ]);
    expect(
      problemsOf(() =>
        loadPasskeysConfig({
          NODE_ENV: 'production',
          PASSKEY_RP_ID: 'localhost',
          PASSKEY_ORIGINS: 'https://localhost',
        }),
      ),
    ).toEqual(['PASSKEY_RP_ID cannot be localhost when NODE_ENV=production']);
    expect(loadPasskeysConfig({ NODE_ENV: 'production', PASSKEYS: 'false' }).enabled).toBe(false);
  });

  it('refuses an RP id that is an IP address or a URL, and origins off the RP id', () => {
    expect(problemsOf(() => loadPasskeysConfig({ PASSKEY_RP_ID: '10.0.0.1' }))[0]).toMatch(
      /must be a domain/,
    );
    expect(
      problemsOf(() => loadPasskeysConfig({ PASSKEY_RP_ID: 'https://example.com' }))[0],
    ).toMatch(/must be a domain/);
    expect(
      problemsOf(() =>
        loadPasskeysConfig({
          PASSKEY_RP_ID: 'example.com',
          PASSKEY_ORIGINS: 'https://evil.com,https://notexample.com,null',
        }),
      ),
    ).toEqual([
      'PASSKEY_ORIGINS: https://evil.com is not on PASSKEY_RP_ID example.com or a subdomain of it',
      'PASSKEY_ORIGINS: https://notexample.com is not on PASSKEY_RP_ID example.com or a subdomain of it',
      expect.stringMatching(/^PASSKEY_ORIGINS must list origins/),
    ]);
  });
});
