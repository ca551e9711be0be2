import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a challenge may be answered for; an answer for any other purpose is refused. */
export enum PasskeyChallengePurpose {
  /** Making a passkey for the signed-in account. */
  Registration = 'registration',
  /** Signing in with a passkey alone (bound to an account when the email was typed). */
  SignIn = 'sign_in',
  /** The second step of a password login (bound to the mfa_token's account). */
  SecondFactor = 'second_factor',
}

/**
 * A challenge handed to a browser, until it is answered or expires: each is spent by the first
 * answer, right or wrong, so an assertion cannot be replayed. Only its SHA-256 is stored.
 */
@Entity({ name: 'passkey_challenges' })
export class PasskeyChallenge {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** base64url SHA-256 of the challenge (itself base64url, as clientDataJSON carries it). */
  @Index('UQ_passkey_challenges_hash', { unique: true })
  @Column({ name: 'challenge_hash', type: 'varchar', length: 43 })
  challengeHash!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: PasskeyChallengePurpose;

  /** The account the answer must come from; null for a passwordless sign-in of anyone. */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Index('IDX_passkey_challenges_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;
}
