import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { isDuplicateKey } from '../common/errors/driver-errors';
import { GatehouseConfig } from '../config/gatehouse-config';
import type { PasskeysConfig } from '../config/passkeys.config';
import { PasskeyChallengePurpose } from './entities/passkey-challenge.entity';
import { Passkey } from './entities/passkey.entity';
import { PasskeyChallenges } from './passkey-challenges.service';
import { MAX_PASSKEYS, PasskeysService, credentialHash } from './passkeys.service';
import { webauthn, webauthnHelpers } from './webauthn';

/** The account a passkey is made for: its id is the user handle, its email the name shown. */
export interface PasskeyOwner {
  id: string;
  email: string;
}

/**
 * Making a passkey (WebAuthn registration ceremony, §7.1), with @simplewebauthn/server doing the
 * protocol: options for the browser, then its answer verified against the challenge, the RP id
 * and the allowed origins. Resident (discoverable) credentials with user verification required,
 * so that a passkey alone is two factors (the device, and the PIN or biometric that unlocks it);
 * attestation `none`: Gatehouse trusts the account's owner, not a vendor's certificate.
 */
@Injectable()
export class PasskeyRegistration {
  private readonly config: PasskeysConfig;

  constructor(
    private readonly passkeys: PasskeysService,
    private readonly challenges: PasskeyChallenges,
    @InjectRepository(Passkey) private readonly rows: Repository<Passkey>,
    config: GatehouseConfig,
  ) {
    this.config = config.get('passkeys', { infer: true });
  }

  async options(owner: PasskeyOwner): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.passkeys.list(owner.id);
    if (existing.length >= MAX_PASSKEYS) throw limitReached();
    const options = await webauthn().generateRegistrationOptions({
      rpName: this.config.rpName,
      rpID: this.config.rpId,
      userName: owner.email,
      userDisplayName: owner.email,
      // The account's id, not its email (§14.6.1: no personal data in the handle); the same for
      // every passkey of the account, so an authenticator replaces its own rather than adding one.
      userID: new TextEncoder().encode(owner.id),
      attestationType: 'none',
      // The account's passkeys: the browser refuses to make a second one on the same device.
      excludeCredentials: existing.map((passkey) => ({
        id: passkey.credentialId,
        transports: transportsOf(passkey),
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      timeout: this.config.challengeTtlSeconds * 1000,
    });
    await this.challenges.keep(options.challenge, PasskeyChallengePurpose.Registration, owner.id);
    return options;
  }

  /** Verifies the browser's answer to this account's challenge and stores the new passkey. */
  async verify(userId: string, answer: unknown, name: string | undefined): Promise<Passkey> {
    const spent = await this.challenges.spend(answer, PasskeyChallengePurpose.Registration);
    if (!spent || spent.userId !== userId) {
      throw refused(
        ErrorCode.InvalidPasskeyChallenge,
        INVALID_CHALLENGE,
        spent ? 'challenge of another account' : 'unknown, spent or expired challenge',
      );
    }
    let verified: Awaited<ReturnType<ReturnType<typeof webauthn>['verifyRegistrationResponse']>>;
    try {
      verified = await webauthn().verifyRegistrationResponse({
        response: answer as RegistrationResponseJSON,
        expectedChallenge: spent.challenge,
        expectedOrigin: this.config.origins,
        expectedRPID: this.config.rpId,
        requireUserVerification: true,
      });
    } catch (error) {
      throw refused(
        ErrorCode.InvalidPasskey,
        'The new passkey could not be verified',
        reasonOf(error),
      );
    }
    if (!verified.verified) {
      throw refused(
        ErrorCode.InvalidPasskey,
        'The new passkey could not be verified',
        'not verified',
      );
    }
    const info = verified.registrationInfo;
    // WebAuthn §7.1 step 19: an id over 1023 bytes is refused (it could never sign in either).
    if (info.credential.id.length > MAX_CREDENTIAL_ID_LENGTH) {
      throw refused(
        ErrorCode.InvalidPasskey,
        'The new passkey could not be verified',
        'credential id too long',
      );
    }
    if ((await this.passkeys.count(userId)) >= MAX_PASSKEYS) throw limitReached();
    const passkey = this.rows.create({
      id: randomUUID(),
      userId,
      credentialId: info.credential.id,
      credentialHash: credentialHash(info.credential.id),
      publicKey: webauthnHelpers().isoBase64URL.fromBuffer(info.credential.publicKey),
      counter: info.credential.counter,
      name: name ?? defaultName(info.credentialDeviceType),
      transports: knownTransports(info.credential.transports),
      aaguid: info.aaguid,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: new Date(),
      lastUsedAt: null,
    });
    try {
      // A copy: TypeORM writes the columns with defaults back into what it inserts, as the
      // driver returns them (MySQL's 0 for false).
      await this.rows.insert({ ...passkey });
    } catch (error) {
      // The credential id is bound to one account: made again (this account's), or another's.
      if (!isDuplicateKey(error)) throw error;
      throw refused(
        ErrorCode.PasskeyAlreadyRegistered,
        'This passkey is registered already',
        'credential registered already',
      );
    }
    return passkey;
  }
}

export const INVALID_CHALLENGE =
  'The passkey challenge is unknown, already used or expired; ask for new options';

/** A refusal whose reason (the library's words) is logged and audited, never answered. */
export const refused = (code: ErrorCode, message: string, reason: string) =>
  new DomainError(code, message, undefined, reason);

const limitReached = () =>
  new DomainError(
    ErrorCode.PasskeyLimitReached,
    'This account has as many passkeys as it may hold; remove one first',
  );

/** What the library said, shortened, for the audit line: never part of the answer. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 200);
}

/** 1023 bytes (WebAuthn §5.8.3), as base64url. */
export const MAX_CREDENTIAL_ID_LENGTH = Math.ceil((1023 * 4) / 3);

/** What WebAuthn names (§5.8.4): the browser reports them, unchecked; anything else is dropped. */
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

function knownTransports(reported: readonly string[] | undefined): string | null {
  const known = [...new Set(reported ?? [])].filter((t) => TRANSPORTS.has(t));
  return known.length > 0 ? known.join(',') : null;
}

export function transportsOf(passkey: Pick<Passkey, 'transports'>) {
  return passkey.transports ? passkey.transports.split(',') : undefined;
}

const defaultName = (deviceType: string) =>
  deviceType === 'multiDevice' ? 'Synced passkey' : 'Device-bound passkey';
