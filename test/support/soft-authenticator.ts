import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for unit specs: ES256 keys from node:crypto, "none"
 * attestation, and the bytes of WebAuthn §6.1 laid out by hand, so that a spec controls every
 * field the server checks (origin, RP id, flags, counter, challenge). The e2e suite uses a real
 * browser's authenticator instead; this one only lets the services be tested alone.
 */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly key: KeyObject;
  private readonly jwk: { x: string; y: string };
  counter = 0;

  constructor(
    private readonly rpId = 'localhost',
    private readonly origin = 'http://localhost:3000',
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  /** What `startRegistration` would give for options with this challenge and user handle. */
  register(
    challenge: string,
    opts: { userVerified?: boolean; origin?: string; rpId?: string } = {},
  ): Record<string, unknown> {
    const coseKey = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(this.jwk.x, 'base64url')],
        [-3, Buffer.from(this.jwk.y, 'base64url')],
      ]),
    );
    const length = Buffer.alloc(2);
    length.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), length, this.credentialId, coseKey]);
    const authData = this.authData(0x40, opts, attested);
    const clientDataJSON = this.clientData('webauthn.create', challenge, opts.origin);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** What `startAuthentication` would give; the counter moves forward first, as a device's does. */
  assert(
    challenge: string,
    opts: {
      userVerified?: boolean;
      origin?: string;
      rpId?: string;
      userHandle?: string;
      counter?: number;
    } = {},
  ): Record<string, unknown> {
    this.counter = opts.counter ?? this.counter + 1;
    const authData = this.authData(0, opts);
    const clientDataJSON = this.clientData('webauthn.get', challenge, opts.origin);
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: sign('sha256', signed, this.key).toString('base64url'),
        ...(opts.userHandle
          ? { userHandle: Buffer.from(opts.userHandle).toString('base64url') }
          : {}),
      },
      clientExtensionResults: {},
    };
  }

  /** rpIdHash, flags (UP, UV unless told otherwise, and `extra`), the counter, then `attested`. */
  private authData(
    extra: number,
    opts: { userVerified?: boolean; rpId?: string },
    attested = Buffer.alloc(0),
  ): Buffer {
    const rpIdHash = createHash('sha256')
      .update(opts.rpId ?? this.rpId)
      .digest();
    const flags = 0x01 | (opts.userVerified === false ? 0 : 0x04) | extra;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([rpIdHash, Buffer.from([flags]), counter, attested]);
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }
}

/** CBOR (RFC 8949) of what the fixtures need: integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, length: number): Buffer => {
    if (length < 24) return Buffer.from([(major << 5) | length]);
    if (length < 256) return Buffer.from([(major << 5) | 24, length]);
    const out = Buffer.alloc(3);
    out[0] = (major << 5) | 25;
    out.writeUInt16BE(length, 1);
    return out;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Map) {
    const parts = [...value.entries()].flatMap(([k, v]) => [cbor(k), cbor(v)]);
    return Buffer.concat([head(5, value.size), ...parts]);
  }
  throw new Error(`cbor: cannot encode ${typeof value}`);
}
