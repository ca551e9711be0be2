import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { KeyObject } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { ConfigValidationError } from '../config/env.validation';
import type { JwtModuleOptions, JwtSignOptions, JwtVerifyOptions } from '@nestjs/jwt';
import { JwtSecretRequestType } from '@nestjs/jwt';
import type { AsymmetricAlgorithm, JwtAlgorithm } from '../keys/jwt-algorithm';
import { readGatehouseHeader } from '../keys/jwt-header';
import { parseKeysVariable, readKeyDir, writeKeyFile } from '../keys/key-files';
import { KeySet } from '../keys/key-set';
import { PublishedJwk, generateSigningKey } from '../keys/signing-key';

/**
 * The keys tokens are signed and verified with. HS256 has one shared secret and publishes
 * nothing. ES256 and RS256 use a {@link KeySet} read from JWT_KEYS or from the keys
 * directory, which is re-read every JWT_KEYS_RELOAD_INTERVAL so a key added by
 * `npm run keys:rotate` reaches every running instance before it activates.
 */
@Injectable()
export class SigningKeys implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SigningKeys.name);
  readonly algorithm: JwtAlgorithm;
  private readonly auth: AuthConfig;
  private set: KeySet;
  private timer?: NodeJS.Timeout;

  constructor(config: GatehouseConfig) {
    this.auth = config.get('auth', { infer: true });
    this.algorithm = this.auth.algorithm;
    this.set = new KeySet([], this.retentionMs);
    if (this.algorithm !== 'HS256') this.set = this.loadInitial(this.algorithm);
  }

  onModuleInit(): void {
    const { dir, variable, reloadIntervalMs } = this.auth.keys;
    if (this.algorithm === 'HS256' || variable !== undefined || reloadIntervalMs <= 0) return;
    this.timer = setInterval(() => this.reload(dir), reloadIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The `kid` of the key a token issued now is signed with; none under HS256. */
  signingKid(now = Date.now()): string | undefined {
    if (this.algorithm === 'HS256') return undefined;
    const key = this.set.signingKey(now);
    // loadInitial guarantees an active key, and time only moves forward.
    if (!key) throw new Error('no signing key is active');
    return key.kid;
  }

  /** The key that verifies a token with this `kid` header, or undefined: refuse the token. */
  verificationKey(kid: string | undefined, now = Date.now()): KeyObject | undefined {
    if (this.algorithm === 'HS256') return kid === undefined ? this.secret() : undefined;
    return this.set.verificationKey(kid, now);
  }

  /**
   * The key that verifies this token: its header must be one Gatehouse writes (see
   * {@link readGatehouseHeader}) and its `kid` name a published key. Undefined: refuse the token.
   */
  keyForToken(token: string, now = Date.now()): KeyObject | undefined {
    const header = readGatehouseHeader(token, this.algorithm);
    return header && this.verificationKey(header.kid, now);
  }

  /**
   * Options for @nestjs/jwt's JwtService. Every key is a KeyObject: handed a string, jsonwebtoken
   * tries createPublicKey on each verify, about 50 times the cost. The signing key is the one
   * the sign call names by `keyid`, so a key activating between choosing it and signing cannot
   * pair one key's kid with another's signature.
   */
  jwtOptions(): JwtModuleOptions {
    return {
      secretOrKeyProvider: (requestType, tokenOrPayload, options) => {
        const key =
          requestType === JwtSecretRequestType.SIGN
            ? this.privateKey((options as JwtSignOptions | undefined)?.keyid)
            : typeof tokenOrPayload === 'string'
              ? this.keyForToken(tokenOrPayload, clockOf(options as JwtVerifyOptions | undefined))
              : undefined;
        // The throw leaves JwtService.verify, and TokenSigner refuses the token; returning
        // undefined would have jsonwebtoken complain of a missing key instead.
        if (!key) throw new Error('no key for this token');
        return key;
      },
    };
  }

  /** The public keys for `/.well-known/jwks.json`; empty under HS256, whose key is a secret. */
  jwks(now = Date.now()): { keys: PublishedJwk[] } {
    return this.algorithm === 'HS256' ? { keys: [] } : this.set.jwks(now);
  }

  /** Re-reads the keys directory; a broken directory keeps the keys already loaded. */
  reload(dir = this.auth.keys.dir): void {
    try {
      const next = new KeySet(this.ofAlgorithm(readKeyDir(dir), dir), this.retentionMs);
      if (!next.signingKey()) throw new Error('no key in it is active');
      const before = new Set(this.set.published().map((key) => key.kid));
      for (const key of next.published()) {
        if (!before.has(key.kid))
          this.logger.log(
            `signing key ${key.kid} loaded; it signs from ${new Date(key.activatesAt).toISOString()}`,
          );
      }
      this.set = next;
    } catch (error) {
      this.logger.error(
        `keys in ${dir} not reloaded, the previous ones stay: ${(error as Error).message}`,
      );
    }
  }

  /** A retired key stays published until every token it signed has expired. */
  private get retentionMs(): number {
    const { accessTtlSeconds, refreshTtlSeconds, clockToleranceSeconds } = this.auth;
    return (Math.max(accessTtlSeconds, refreshTtlSeconds) + clockToleranceSeconds) * 1000;
  }

  /** The private key named by `kid` (the secret under HS256, where there is no kid). */
  private privateKey(kid: string | undefined): KeyObject | undefined {
    if (this.algorithm === 'HS256') return kid === undefined ? this.secret() : undefined;
    return this.set.find(kid)?.privateKey;
  }

  private secret(): KeyObject {
    if (!this.auth.key) throw new Error('HS256 without a secret');
    return this.auth.key;
  }

  private loadInitial(alg: AsymmetricAlgorithm): KeySet {
    const { dir, variable } = this.auth.keys;
    const source = variable !== undefined ? 'JWT_KEYS' : `JWT_KEYS_DIR (${dir})`;
    let keys;
    try {
      keys = this.ofAlgorithm(
        variable !== undefined ? parseKeysVariable(variable) : readKeyDir(dir),
        source,
      );
    } catch (error) {
      throw new ConfigValidationError([(error as Error).message]);
    }
    if (keys.length === 0 && variable === undefined && !this.auth.isProduction) {
      const key = generateSigningKey(alg, Date.now());
      const file = writeKeyFile(dir, key);
      this.logger.warn(
        `no ${alg} signing key: generated a development key in ${file}. Production refuses to start without one.`,
      );
      keys = [key];
    }
    if (keys.length === 0) {
      throw new ConfigValidationError([
        `JWT_ALGORITHM=${alg} needs a signing key in ${source}; create one with npm run keys:rotate`,
      ]);
    }
    const set = new KeySet(keys, this.retentionMs);
    if (!set.signingKey()) {
      throw new ConfigValidationError([
        `no key in ${source} is active yet; the earliest activates at ${new Date(Math.min(...keys.map((k) => k.activatesAt))).toISOString()}`,
      ]);
    }
    return set;
  }

  private ofAlgorithm<T extends { alg: string; kid: string }>(keys: T[], source: string): T[] {
    const other = keys.find((key) => key.alg !== this.algorithm);
    if (other)
      throw new Error(
        `${source}: key ${other.kid} is ${other.alg}, but JWT_ALGORITHM is ${this.algorithm}`,
      );
    return keys;
  }
}

/** The instant a verification is made for, in ms: jsonwebtoken's `clockTimestamp` is in seconds. */
function clockOf(options: JwtVerifyOptions | undefined): number {
  return options?.clockTimestamp !== undefined ? options.clockTimestamp * 1000 : Date.now();
}
