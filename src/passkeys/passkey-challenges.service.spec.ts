import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { passkeysTestModule } from '../../test/support/unit';
import { PasskeyChallenge, PasskeyChallengePurpose } from './entities/passkey-challenge.entity';
import { PasskeyChallenges, challengeOf } from './passkey-challenges.service';

/** An answer as a browser sends it: only its clientDataJSON matters here. */
const answerTo = (challenge: string) => ({
  response: {
    clientDataJSON: Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge, origin: 'http://localhost:3000' }),
    ).toString('base64url'),
  },
});

describe('PasskeyChallenges', () => {
  let moduleRef: TestingModule;
  let challenges: PasskeyChallenges;
  const rows = () => moduleRef.get(DataSource).getRepository(PasskeyChallenge);

  beforeEach(async () => {
    moduleRef = await passkeysTestModule({ PASSKEY_CHALLENGE_TTL: '2m' });
    challenges = moduleRef.get(PasskeyChallenges);
  });
  afterEach(() => moduleRef.close());

  it('keeps only a hash, for PASSKEY_CHALLENGE_TTL', async () => {
    const now = Date.now();
    await challenges.keep('c2VjcmV0LWNoYWxsZW5nZQ', PasskeyChallengePurpose.SignIn, null, now);
    const [row] = await rows().find();
    expect(row.challengeHash).not.toContain('c2VjcmV0');
    expect(row.expiresAt.getTime() - now).toBe(120_000);
  });

  it('is spent once, for its purpose, with the account it was bound to', async () => {
    await challenges.keep('Y2hhbGxlbmdl', PasskeyChallengePurpose.SecondFactor, 'ada');
    await expect(
      challenges.spend(answerTo('Y2hhbGxlbmdl'), PasskeyChallengePurpose.SignIn),
    ).resolves.toBeUndefined();
    const spent = await Promise.all([
      challenges.spend(answerTo('Y2hhbGxlbmdl'), PasskeyChallengePurpose.SecondFactor),
      challenges.spend(answerTo('Y2hhbGxlbmdl'), PasskeyChallengePurpose.SecondFactor),
    ]);
    expect(spent.filter(Boolean)).toEqual([{ challenge: 'Y2hhbGxlbmdl', userId: 'ada' }]);
  });

  it('refuses an expired one, and sweeps the expired at most once a minute', async () => {
    const now = Date.now();
    await challenges.keep('b2xk', PasskeyChallengePurpose.SignIn, null, now - 200_000);
    await expect(
      challenges.spend(answerTo('b2xk'), PasskeyChallengePurpose.SignIn, now),
    ).resolves.toBeUndefined();
    // The first keep swept (nothing then); within the minute the next does not.
    await challenges.keep('bmV3', PasskeyChallengePurpose.SignIn, null, now - 199_000);
    expect(await rows().count()).toBe(2);
    await challenges.keep('bmV3ZXI', PasskeyChallengePurpose.SignIn, null, now);
    expect((await rows().find()).map((row) => row.expiresAt.getTime())).toEqual([now + 120_000]);
  });

  it('reads the challenge from clientDataJSON, and nothing from anything else', () => {
    expect(challengeOf(answerTo('YWJj'))).toBe('YWJj');
    for (const answer of [
      undefined,
      null,
      'x',
      {},
      { response: { clientDataJSON: 42 } },
      { response: { clientDataJSON: '' } },
      { response: { clientDataJSON: 'not json' } },
      { response: { clientDataJSON: Buffer.from('{"challenge":7}').toString('base64url') } },
      { response: { clientDataJSON: 'A'.repeat(5000) } },
    ]) {
      expect(challengeOf(answer)).toBeUndefined();
    }
  });
});
