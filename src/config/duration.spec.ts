import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { problemsOf } from '../../test/support/unit';
import { durationProblem, parseDuration } from './duration';
import { DURATIONS, DurationVariable } from './env.validation';
import { GatehouseConfig, GatehouseSettings } from './gatehouse-config';

describe('parseDuration, the one duration parser', () => {
  it('reads a bare number as seconds', () => {
    expect(parseDuration('900', 'X')).toBe(900_000);
    expect(parseDuration('0', 'X')).toBe(0);
  });

  it('reads every unit, into milliseconds', () => {
    expect(parseDuration('1500ms', 'X')).toBe(1_500);
    expect(parseDuration('30s', 'X')).toBe(30_000);
    expect(parseDuration('15m', 'X')).toBe(900_000);
    expect(parseDuration('2h', 'X')).toBe(7_200_000);
    expect(parseDuration('14d', 'X')).toBe(1_209_600_000);
    expect(parseDuration(' 5 s ', 'X')).toBe(5_000);
  });

  it.each(['', 'soon', '1.5s', '-1s', '10w', '5 minutes', '1h30m'])(
    'refuses %j, naming the variable and the rule',
    (value) => {
      expect(problemsOf(() => parseDuration(value, 'JWT_ACCESS_TTL'))).toEqual([
        expect.stringMatching(/^JWT_ACCESS_TTL must be a duration: .*a bare number is seconds/),
      ]);
    },
  );

  it('refuses 0 where it would mean no limit at all', () => {
    expect(durationProblem('X', '0', { positive: true })).toBe('X must be longer than 0');
    expect(durationProblem('X', '0ms', { positive: true })).toBe('X must be longer than 0');
    expect(durationProblem('X', '0')).toBeUndefined();
  });

  it('refuses part of a second where only whole seconds are kept', () => {
    expect(durationProblem('X', '1500ms', { wholeSeconds: true })).toBe(
      'X must be a whole number of seconds (got "1500ms")',
    );
    expect(durationProblem('X', '2000ms', { wholeSeconds: true })).toBeUndefined();
  });

  it('refuses a bare number where it meant milliseconds, naming the variable and the unit to add', () => {
    const problem = durationProblem('DATABASE_TIMEOUT', '1500', { unitRequired: true });
    expect(problem).toMatch(/^DATABASE_TIMEOUT=1500 needs a unit, such as 1500ms or 1500s/);
    expect(durationProblem('X', '1500ms', { unitRequired: true })).toBeUndefined();
    expect(durationProblem('X', '2s', { unitRequired: true })).toBeUndefined();
    // 0 is 0 in any unit: nothing can change meaning.
    expect(durationProblem('X', '0', { unitRequired: true })).toBeUndefined();
  });

  it('refuses a timer longer than Node keeps (it would fire after 1 ms), and any unsafe number', () => {
    expect(durationProblem('X', '24d', { timer: true })).toBeUndefined();
    expect(durationProblem('X', '25d', { timer: true })).toBe(
      'X must be at most 24d (a timer; got "25d")',
    );
    expect(durationProblem('X', '25d')).toBeUndefined();
    expect(durationProblem('X', '99999999999999999999d')).toMatch(/^X is too long/);
  });
});

describe('every duration variable', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-durations-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const settings = (variables: Record<string, string>): GatehouseSettings => {
    const config = GatehouseConfig.from({
      settings: {
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        JWT_SECRET: 'k'.repeat(20) + 'Zq8#'.repeat(5),
        MFA_ENCRYPTION_KEY: 'ab'.repeat(32),
        ...variables,
      },
    });
    return {
      auth: config.get('auth'),
      tokens: config.get('tokens'),
      throttle: config.get('throttle'),
      account: config.get('account'),
      mail: config.get('mail'),
      passkeys: config.get('passkeys'),
    };
  };

  /** Where each lands in the typed settings, and in which unit. */
  const READS: Record<
    DurationVariable,
    [unit: 's' | 'ms', read: (s: GatehouseSettings) => number]
  > = {
    DATABASE_TIMEOUT: ['ms', (s) => s.tokens.databaseTimeoutMs],
    JWT_KEYS_RELOAD_INTERVAL: ['ms', (s) => s.auth.keys.reloadIntervalMs],
    JWT_ACCESS_TTL: ['s', (s) => s.auth.accessTtlSeconds],
    JWT_REFRESH_TTL: ['s', (s) => s.auth.refreshTtlSeconds],
    JWT_CLOCK_TOLERANCE: ['s', (s) => s.auth.clockToleranceSeconds],
    REAUTH_MAX_AGE: ['s', (s) => s.auth.reauthMaxAgeSeconds],
    REVOCATION_CACHE_TTL: ['s', (s) => s.tokens.cacheTtlSeconds],
    REVOCATION_SYNC_INTERVAL: ['ms', (s) => s.tokens.revocationSyncIntervalMs],
    TOKEN_CLEANUP_INTERVAL: ['s', (s) => s.tokens.cleanupIntervalSeconds],
    TOKEN_RETENTION: ['s', (s) => s.tokens.retentionSeconds],
    TOKEN_CLEANUP_PAUSE: ['ms', (s) => s.tokens.cleanupPauseMs],
    RATE_LIMIT_WINDOW: ['s', (s) => s.throttle.windowSeconds],
    LOCKOUT_BASE_DELAY: ['s', (s) => s.throttle.lockoutBaseSeconds],
    LOCKOUT_MAX_DELAY: ['s', (s) => s.throttle.lockoutMaxSeconds],
    MAIL_RETRY_DELAY: ['ms', (s) => s.mail.retryBaseMs],
    EMAIL_VERIFICATION_TTL: ['s', (s) => s.account.verificationTtlSeconds],
    PASSWORD_RESET_TTL: ['s', (s) => s.account.resetTtlSeconds],
    MAIL_RESEND_INTERVAL: ['s', (s) => s.account.resendIntervalSeconds],
    MFA_TOKEN_TTL: ['s', (s) => s.account.mfa.tokenTtlSeconds],
    MFA_RESET_WINDOW: ['s', (s) => s.account.mfa.resetWindowSeconds],
    PASSKEY_CHALLENGE_TTL: ['s', (s) => s.passkeys.challengeTtlSeconds],
  };
  const names = Object.keys(READS) as DurationVariable[];
  const requiringUnit = names.filter((name) => DURATIONS[name].unitRequired === true);
  const bareIsSeconds = names.filter((name) => DURATIONS[name].unitRequired !== true);

  it('has its unit checked here (a new one must be added to this table)', () => {
    expect(names.sort()).toEqual(Object.keys(DURATIONS).sort());
  });

  it.each(names)('%s=2m lasts two minutes, in the unit its setting is kept in', (name) => {
    const [unit, read] = READS[name];
    expect(read(settings({ [name]: '2m' }))).toBe(unit === 's' ? 120 : 120_000);
  });

  it.each(bareIsSeconds)('%s=90 is 90 seconds', (name) => {
    const [unit, read] = READS[name];
    expect(read(settings({ [name]: '90' }))).toBe(unit === 's' ? 90 : 90_000);
  });

  it('takes a bare number as milliseconds nowhere: the four that once did refuse one', () => {
    expect(requiringUnit.sort()).toEqual([
      'DATABASE_TIMEOUT',
      'MAIL_RETRY_DELAY',
      'REVOCATION_SYNC_INTERVAL',
      'TOKEN_CLEANUP_PAUSE',
    ]);
  });

  it.each(requiringUnit)('%s=1500 stops the boot, naming it and the unit to add', (name) => {
    expect(problemsOf(() => settings({ [name]: '1500' }))).toEqual([
      expect.stringMatching(new RegExp(`^${name}=1500 needs a unit, such as 1500ms or 1500s`)),
    ]);
    const [, read] = READS[name];
    expect(read(settings({ [name]: '1500ms' }))).toBe(1500);
  });

  it('reads the keys directory at most once a second, and no timer past what Node keeps', () => {
    expect(problemsOf(() => settings({ JWT_KEYS_RELOAD_INTERVAL: '500ms' }))).toEqual([
      'JWT_KEYS_RELOAD_INTERVAL must be a whole number of seconds (got "500ms")',
    ]);
    expect(problemsOf(() => settings({ TOKEN_CLEANUP_INTERVAL: '30d' }))).toEqual([
      'TOKEN_CLEANUP_INTERVAL must be at most 24d (a timer; got "30d")',
    ]);
  });

  it('names every bad duration at once', () => {
    expect(
      problemsOf(() =>
        settings({ JWT_ACCESS_TTL: '1500ms', DATABASE_TIMEOUT: '5000', MFA_TOKEN_TTL: '0' }),
      ),
    ).toEqual([
      expect.stringMatching(/^DATABASE_TIMEOUT=5000 needs a unit/),
      'JWT_ACCESS_TTL must be a whole number of seconds (got "1500ms")',
      'MFA_TOKEN_TTL must be longer than 0',
    ]);
  });
});
