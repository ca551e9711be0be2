import { Logger } from '@nestjs/common';
import { ErrorCode } from '../common/errors/domain-error';
import { BREACH_CHECK_TIMEOUT_MS, BreachedPasswords } from './breached-passwords';

describe('BreachedPasswords', () => {
  const service = (isBreached: (password: string) => Promise<boolean>) =>
    new BreachedPasswords({ isBreached });
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.useRealTimers());

  it('does nothing without a service', async () => {
    await expect(
      new BreachedPasswords(null).assertNotBreached('anything at all'),
    ).resolves.toBeUndefined();
  });

  it('refuses a password the service names, with a validation error', async () => {
    const check = service((password) => Promise.resolve(password === 'in a breach'));
    await expect(check.assertNotBreached('in a breach')).rejects.toMatchObject({
      code: ErrorCode.ValidationFailed,
      details: ['password appears in a known data breach: choose another'],
    });
    await expect(check.assertNotBreached('not in one')).resolves.toBeUndefined();
  });

  it('lets a password through when the service fails, and says so once per outage', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const check = service(() => Promise.reject(new Error('ECONNREFUSED')));
    await expect(check.assertNotBreached('whatever it is')).resolves.toBeUndefined();
    await expect(check.assertNotBreached('whatever it is')).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('whatever it is');
  });

  it(`waits for it no longer than ${BREACH_CHECK_TIMEOUT_MS} ms`, async () => {
    jest.useFakeTimers();
    const check = service(() => new Promise<boolean>(() => undefined));
    const answer = check.assertNotBreached('a slow one');
    await jest.advanceTimersByTimeAsync(BREACH_CHECK_TIMEOUT_MS);
    await expect(answer).resolves.toBeUndefined();
  });
});
