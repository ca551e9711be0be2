import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { asError } from './errors/as-error';

/** How long shutdown waits for tasks still running. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Work a request asks for but does not wait on: the lookups and writes behind "if this address
 * has an account, mail it". Run after the answer, so the answer (and its timing) is the same
 * whether or not there was anything to do.
 */
@Injectable()
export class BackgroundTasks implements OnApplicationShutdown {
  private readonly logger = new Logger('BackgroundTasks');
  private readonly running = new Set<Promise<void>>();

  /** Starts `task` on a later tick. Never throws: a failure is logged by name, without details. */
  run(name: string, task: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => {
        // The error's message may quote the address or the SQL parameters: name and code only.
        const { name: kind, code } = asError(error) as Error & { code?: unknown };
        this.logger.error(`${name} failed: ${kind}${typeof code === 'string' ? ` (${code})` : ''}`);
      })
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once every task started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Waits (a bounded time) for the tasks still running; the Mailer calls it before its own drain. */
  async drain(timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    // The global timer, not timers/promises: a test's fake clock then moves it.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([this.idle().then(() => 'idle' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(`${this.running.size} background task(s) still running at shutdown`);
    }
  }

  onApplicationShutdown(): Promise<void> {
    return this.drain();
  }
}
