import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { GatehouseConfig } from '../config/gatehouse-config';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';

/** bcrypt reads at most 72 bytes of its input; longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;
/** $2a$, $2b$ (bcryptjs, node.bcrypt.js) and $2y$ (PHP) hashes: the ones bcryptjs checks. */
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

type BcryptTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'compare'; password: string; hash: string };

/**
 * Hashes and checks passwords with bcrypt. Input is Unicode-normalised (NFC) first, so the same
 * password typed on two keyboards hashes the same.
 *
 * bcryptjs is pure JavaScript and blocks the thread it runs on for the whole hash (~60 ms at
 * cost 10), so it runs on a pool of worker threads, one per core, at lowered priority: during a
 * login storm the event loop keeps serving every other request, and logins use every core.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  private readonly cost: number;
  private readonly pool: Piscina<BcryptTask, string | boolean>;
  /** A hash of a throwaway password per cost, for checks with no account to check against. */
  private readonly dummyHashes = new Map<number, Promise<string>>();
  /** How many real hashes of each cost were checked: the no-account check follows the commonest. */
  private readonly costsSeen = new Map<number, number>();

  constructor(config: GatehouseConfig) {
    this.cost = config.get('auth', { infer: true }).bcryptCost;
    const threads = Math.max(1, availableParallelism());
    this.pool = new Piscina({
      filename: join(__dirname, 'workers', 'bcrypt.worker.js'),
      minThreads: threads,
      maxThreads: threads,
      // Each task holds a core ~60 ms; queueing beats oversubscribing.
      concurrentTasksPerWorker: 1,
      // Linux nice(2) for the hashing threads: the event loop always wins the CPU.
      niceIncrement: 10,
      idleTimeout: 60_000,
    });
  }

  async hash(password: string): Promise<string> {
    const normalized = password.normalize('NFC');
    if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) {
      // DTO validation refuses these first; this guards any other caller.
      throw new RangeError(`password longer than ${MAX_PASSWORD_BYTES} bytes`);
    }
    return (await this.pool.run({ op: 'hash', password: normalized, cost: this.cost })) as string;
  }

  /**
   * Never truncates: a password bcrypt would cut at 72 bytes cannot match. `hash`: null, or not a
   * bcrypt hash (a host's account without a password, or hashed by something else), never
   * matches, in the same time as a real check.
   */
  async verify(password: string, hash: string | null): Promise<boolean> {
    if (hash === null || !BCRYPT_HASH.test(hash))
      return this.verifyAgainstNothing(password.slice(0, MAX_PASSWORD_BYTES));
    const cost = Number(hash.slice(4, 6));
    this.costsSeen.set(cost, (this.costsSeen.get(cost) ?? 0) + 1);
    const normalized = password.normalize('NFC');
    if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) {
      await this.verifyAgainstNothing(password.slice(0, MAX_PASSWORD_BYTES));
      return false;
    }
    return (await this.pool.run({ op: 'compare', password: normalized, hash })) as boolean;
  }

  /**
   * Spends the same time as a real check when there is no account to check against, so the
   * answer's timing does not tell whether an email is registered. A real check costs what its
   * hash was made with, which for a host's existing accounts need not be `bcryptCost`: this one
   * costs what most of the hashes checked so far did (`bcryptCost` until there is one).
   */
  async verifyAgainstNothing(password: string): Promise<false> {
    const cost = this.commonestCost();
    let dummy = this.dummyHashes.get(cost);
    if (!dummy) {
      dummy = this.pool.run({
        op: 'hash',
        password: 'gatehouse-dummy-password',
        cost,
      }) as Promise<string>;
      this.dummyHashes.set(cost, dummy);
    }
    await this.pool.run({ op: 'compare', password: password.normalize('NFC'), hash: await dummy });
    return false;
  }

  private commonestCost(): number {
    let commonest = this.cost;
    let count = 0;
    for (const [cost, seen] of this.costsSeen) {
      if (seen > count) [commonest, count] = [cost, seen];
    }
    return commonest;
  }

  /**
   * Not onModuleDestroy: Nest runs that before it stops the HTTP server, and a login still in
   * flight on shutdown would lose its hashing threads. Shutdown hooks run once the server has
   * drained.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}
