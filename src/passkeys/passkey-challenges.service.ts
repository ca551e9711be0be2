import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { GatehouseConfig } from '../config/gatehouse-config';
import { PasskeyChallenge, PasskeyChallengePurpose } from './entities/passkey-challenge.entity';
import { webauthnHelpers } from './webauthn';

/** A challenge once spent: whose answer it awaited, and the challenge itself for the verifier. */
export interface SpentChallenge {
  challenge: string;
  userId: string | null;
}

/** Expired challenges are swept at most this often per instance, as a new one is handed out. */
const SWEEP_INTERVAL_MS = 60_000;

const hash = (challenge: string) => createHash('sha256').update(challenge).digest('base64url');

/**
 * The challenges handed to browsers (WebAuthn §13.4.3): each single-use, bound to its purpose
 * (and to an account where the purpose has one), and short-lived (PASSKEY_CHALLENGE_TTL). The
 * server keeps them, not the client: an answer names its challenge inside the signed
 * clientDataJSON, so spending it is one conditional DELETE, and the same answer twice, even
 * concurrently, finds it once.
 */
@Injectable()
export class PasskeyChallenges {
  private readonly ttlMs: number;
  private lastSweep = 0;

  constructor(
    @InjectRepository(PasskeyChallenge) private readonly challenges: Repository<PasskeyChallenge>,
    config: GatehouseConfig,
  ) {
    this.ttlMs = config.get('passkeys', { infer: true }).challengeTtlSeconds * 1000;
  }

  /** Keeps a challenge the options just carried (base64url), for one answer of this purpose. */
  async keep(
    challenge: string,
    purpose: PasskeyChallengePurpose,
    userId: string | null,
    now = Date.now(),
  ): Promise<void> {
    await this.sweep(now);
    await this.challenges.insert({
      id: randomUUID(),
      challengeHash: hash(challenge),
      purpose,
      userId,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.ttlMs),
    });
  }

  /**
   * Spends the challenge a browser's answer names, if it is one of ours, of this purpose and
   * unexpired; undefined otherwise. Spent whatever the answer's fate: a wrong answer gets no
   * second try with the same challenge.
   */
  async spend(
    answer: unknown,
    purpose: PasskeyChallengePurpose,
    now = Date.now(),
  ): Promise<SpentChallenge | undefined> {
    const challenge = challengeOf(answer);
    if (challenge === undefined) return undefined;
    const row = await this.challenges.findOneBy({ challengeHash: hash(challenge), purpose });
    if (!row) return undefined;
    const { affected } = await this.challenges.delete({
      id: row.id,
      expiresAt: MoreThan(new Date(now)),
    });
    return affected === 1 ? { challenge, userId: row.userId } : undefined;
  }

  /** Drops what expired unanswered; at most once a minute, so a burst of sign-ins pays once. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    await this.challenges.delete({ expiresAt: LessThan(new Date(now)) });
  }
}

/**
 * The challenge inside an answer's clientDataJSON, read only to find which one to spend: the
 * verifier then checks it against what was kept, with the rest of the signed data.
 */
export function challengeOf(answer: unknown): string | undefined {
  const data = (answer as { response?: { clientDataJSON?: unknown } } | null)?.response
    ?.clientDataJSON;
  if (typeof data !== 'string' || data.length === 0 || data.length > 4096) return undefined;
  try {
    const { challenge } = webauthnHelpers().decodeClientDataJSON(data) as { challenge?: unknown };
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 128
      ? challenge
      : undefined;
  } catch {
    return undefined;
  }
}
