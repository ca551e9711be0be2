import { Injectable } from '@nestjs/common';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { AuditLog } from '../common/audit/audit-log.service';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { GatehouseConfig } from '../config/gatehouse-config';
import type { PasskeysConfig } from '../config/passkeys.config';
import type { ClientInfo } from '../core/client-info';
import { PasskeyChallengePurpose } from './entities/passkey-challenge.entity';
import { Passkey } from './entities/passkey.entity';
import { PasskeyChallenges } from './passkey-challenges.service';
import {
  INVALID_CHALLENGE,
  MAX_CREDENTIAL_ID_LENGTH,
  reasonOf,
  refused,
  transportsOf,
} from './passkey-registration.service';
import { PasskeysService } from './passkeys.service';
import { PASSKEYS_OFF } from './passkeys-on.guard';
import { webauthn, webauthnHelpers } from './webauthn';

const REFUSED = 'The passkey could not be verified';

/**
 * What a sign-in challenge for an email without an account is bound to: no account has an empty
 * id, so every answer is refused, as another account's passkey would be.
 */
const NO_ACCOUNT = '';

/**
 * Signing in with a passkey (WebAuthn authentication ceremony, §7.2), with @simplewebauthn/server
 * doing the protocol. Each answer must name a challenge of its purpose, which it spends; come
 * from an allowed origin; be signed by a passkey the step accepts (the challenge's account, when
 * it has one); carry user verification; and move the passkey's signature counter forward. A
 * counter that goes back means two authenticators hold one key: refused and audited.
 */
@Injectable()
export class PasskeyAuthentication {
  private readonly config: PasskeysConfig;

  constructor(
    private readonly passkeys: PasskeysService,
    private readonly challenges: PasskeyChallenges,
    private readonly audit: AuditLog,
    config: GatehouseConfig,
  ) {
    this.config = config.get('passkeys', { infer: true });
  }

  /**
   * Options to sign in with. Without an account (`account` undefined) any passkey of this site
   * may answer: the browser offers the ones it holds (discoverable credentials). With the account
   * of a typed email only its passkeys are accepted, and with `null` (the email has no account)
   * none is. The options look the same in all three cases (no credential is listed), so they
   * tell nobody which addresses are registered or have passkeys.
   */
  async signInOptions(account?: string | null): Promise<PublicKeyCredentialRequestOptionsJSON> {
    // An address with no account gets a challenge bound to an account that does not exist: any
    // answer is refused, as one from another account's passkey would be.
    const userId = account === undefined ? null : (account ?? NO_ACCOUNT);
    return this.options(PasskeyChallengePurpose.SignIn, userId, []);
  }

  /** Options for the second step of a password login: the account's own passkeys, named. */
  async secondFactorOptions(userId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    this.assertOn();
    const passkeys = await this.passkeys.list(userId);
    if (passkeys.length === 0) {
      throw new DomainError(ErrorCode.PasskeyRefused, 'This account has no passkey');
    }
    return this.options(PasskeyChallengePurpose.SecondFactor, userId, passkeys);
  }

  /**
   * The passkey that signed this answer, once every check holds; its counter and last use are
   * recorded. `expectedUserId`: the account the step is for (a second factor), which the
   * challenge must be bound to as well.
   */
  async verify(
    answer: unknown,
    purpose: PasskeyChallengePurpose,
    client: ClientInfo,
    expectedUserId?: string,
  ): Promise<Passkey> {
    this.assertOn();
    const failed = (reason: string, userId?: string, code = ErrorCode.PasskeyRefused) => {
      // A challenge for an address without an account names none.
      const account = userId === NO_ACCOUNT ? undefined : userId;
      this.audit.warn('passkey.failure', { ...client, userId: account, purpose, reason });
      return refused(code, code === ErrorCode.PasskeyRefused ? REFUSED : INVALID_CHALLENGE, reason);
    };
    const spent = await this.challenges.spend(answer, purpose);
    if (!spent)
      throw failed(
        'unknown, spent or expired challenge',
        expectedUserId,
        ErrorCode.InvalidPasskeyChallenge,
      );
    const bound = spent.userId ?? undefined;
    if (expectedUserId !== undefined && bound !== expectedUserId) {
      throw failed(
        'challenge of another account',
        expectedUserId,
        ErrorCode.InvalidPasskeyChallenge,
      );
    }
    const credentialId = (answer as { id?: unknown }).id;
    const passkey =
      typeof credentialId === 'string' &&
      credentialId.length > 0 &&
      credentialId.length <= MAX_CREDENTIAL_ID_LENGTH
        ? await this.passkeys.findByCredential(credentialId)
        : null;
    if (!passkey) throw failed('unknown credential', bound);
    if (bound !== undefined && passkey.userId !== bound) {
      throw failed('credential of another account', bound);
    }
    if (!this.userHandleMatches(answer, passkey))
      throw failed('user handle of another account', passkey.userId);
    let newCounter: number;
    try {
      const { verified, authenticationInfo } = await webauthn().verifyAuthenticationResponse({
        response: answer as AuthenticationResponseJSON,
        expectedChallenge: spent.challenge,
        expectedOrigin: this.config.origins,
        expectedRPID: this.config.rpId,
        requireUserVerification: true,
        // Stored counter 0: the library would refuse a counter that went back with its own
        // message; compared below instead, after the signature, so a refusal for a clone is
        // only ever said of a genuine signature.
        credential: {
          id: passkey.credentialId,
          publicKey: webauthnHelpers().isoBase64URL.toBuffer(passkey.publicKey),
          counter: 0,
          transports: transportsOf(passkey),
        },
      });
      if (!verified) throw new Error('signature not verified');
      newCounter = authenticationInfo.newCounter;
    } catch (error) {
      throw failed(reasonOf(error), passkey.userId);
    }
    const regressed = (newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter;
    if (regressed || !(await this.passkeys.recordUse(passkey, newCounter))) {
      // WebAuthn §6.1.1: a signature counter that does not move forward means the key may have
      // been cloned. The genuine owner's next sign-in may be the one refused: what they need
      // to know is in the audit trail, the passkey and the counter.
      this.audit.warn('passkey.counter_regressed', {
        ...client,
        userId: passkey.userId,
        passkeyId: passkey.id,
        storedCounter: passkey.counter,
        presentedCounter: newCounter,
      });
      throw refused(ErrorCode.PasskeyRefused, REFUSED, 'signature counter did not move forward');
    }
    return { ...passkey, counter: newCounter };
  }

  /** The routes are guarded (PasskeysOn); the second factor arrives through the two-factor ones. */
  private assertOn(): void {
    if (!this.config.enabled) throw new DomainError(ErrorCode.NotFound, PASSKEYS_OFF);
  }

  private async options(
    purpose: PasskeyChallengePurpose,
    userId: string | null,
    allow: Passkey[],
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await webauthn().generateAuthenticationOptions({
      rpID: this.config.rpId,
      userVerification: 'required',
      allowCredentials: allow.map((passkey) => ({
        id: passkey.credentialId,
        transports: transportsOf(passkey),
      })),
      timeout: this.config.challengeTtlSeconds * 1000,
    });
    await this.challenges.keep(options.challenge, purpose, userId);
    return options;
  }

  /** A discoverable credential's answer names its account (the user handle): it must be this one's. */
  private userHandleMatches(answer: unknown, passkey: Passkey): boolean {
    const handle = (answer as { response?: { userHandle?: unknown } }).response?.userHandle;
    if (handle === undefined || handle === null || handle === '') return true;
    if (typeof handle !== 'string') return false;
    try {
      const bytes = webauthnHelpers().isoBase64URL.toBuffer(handle);
      return new TextDecoder().decode(bytes) === passkey.userId;
    } catch {
      return false;
    }
  }
}
