import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type * as SimpleWebAuthnHelpers from '@simplewebauthn/server/helpers';

export type WebAuthn = typeof SimpleWebAuthn;
export type WebAuthnHelpers = typeof SimpleWebAuthnHelpers;

let server: WebAuthn | undefined;
let helpers: WebAuthnHelpers | undefined;

/**
 * `@simplewebauthn/server`, loaded on the first passkey request rather than at boot: with its
 * ASN.1 and CBOR dependencies it takes ~200 ms to load, which a host whose users never touch a
 * passkey should not pay on every start.
 */
export function webauthn(): WebAuthn {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return (server ??= require('@simplewebauthn/server') as WebAuthn);
}

/** Its helpers (base64url, clientDataJSON), loaded likewise. */
export function webauthnHelpers(): WebAuthnHelpers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return (helpers ??= require('@simplewebauthn/server/helpers') as WebAuthnHelpers);
}
