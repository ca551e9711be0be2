import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
// 96-bit IVs are GCM's native size. Random ones are safe for 2^32 seals per key (NIST SP 800-38D
// §8.3), far more TOTP secrets than one key will ever seal.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL_PART = /^[A-Za-z0-9_-]*$/;

/** AES-256-GCM for TOTP secrets at rest, each sealed value bound to the row that owns it. */
export class SecretBox {
  private readonly key: Buffer;
  private readonly keyId: string;

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new Error(`SecretBox key must be ${KEY_BYTES} bytes`);
    }
    // A copy, so a caller zeroing or reusing its buffer does not change the key under us.
    this.key = Buffer.from(key);
    // Names the key in each sealed value so a future rotation can pick the right one. Eight
    // characters (48 bits) of a hash reveal nothing useful about a 256-bit key.
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  /**
   * Encrypts `plain` as `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts). `context` (the
   * user id) is authenticated as AAD: the value only opens for the same context, so a sealed
   * secret copied onto another user's row is useless there.
   */
  seal(plain: Buffer, context: string): string {
    if (context.length === 0) throw new Error('SecretBox context must not be empty');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.keyId, b64(iv), b64(ciphertext), b64(tag)].join('.');
  }

  /**
   * Decrypts a value from `seal` for the same context. Every failure, from a malformed string to
   * a wrong key, context or tampered byte, throws the same error, so callers and logs cannot
   * become an oracle for which part was wrong.
   */
  open(sealed: string, context: string): Buffer {
    try {
      const parts = sealed.split('.');
      if (parts.length !== 5) throw new Error();
      const [version, keyId, ivText, ciphertextText, tagText] = parts;
      if (version !== VERSION || keyId !== this.keyId) throw new Error();
      const iv = unb64(ivText);
      const ciphertext = unb64(ciphertextText);
      const tag = unb64(tagText);
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error();
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new Error('cannot open sealed secret');
    }
  }
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}

/**
 * Node's base64 decoder skips characters it does not know and ignores the spare low bits of the
 * last character, so several strings decode to the same bytes. Only the canonical form is
 * accepted, which keeps the sealed value itself tamper-evident, not just the bytes inside it.
 */
function unb64(text: string): Buffer {
  if (!BASE64URL_PART.test(text)) throw new Error();
  const buf = Buffer.from(text, 'base64url');
  if (b64(buf) !== text) throw new Error();
  return buf;
}
