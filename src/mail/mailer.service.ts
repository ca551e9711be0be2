import { Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { BackgroundTasks } from '../common/background-tasks.service';
import type { NodemailerError } from 'nodemailer';
import type { MailConfig } from '../config/account.config';
import { GatehouseConfig } from '../config/gatehouse-config';
import type { MailMessage } from './mail-message';
import { MailTransport, createMailTransport } from './mail-transport';

export interface MailStats {
  sent: number;
  /** Given up: out of attempts, permanently rejected, or dropped at shutdown. */
  failed: number;
  /** Queued, being delivered, or waiting for a retry. */
  pending: number;
  /** Attempts after the first. */
  retries: number;
}

/** How long shutdown waits for pending mails before dropping them. */
const DRAIN_TIMEOUT_MS = 10_000;
/** Doubling from MAIL_RETRY_DELAY stops here, whatever MAIL_MAX_ATTEMPTS allows. */
const MAX_RETRY_DELAY_MS = 15 * 60_000;

interface Delivery {
  readonly message: MailMessage;
  attempts: number;
  /** Set while the delivery waits for its next attempt. */
  retry?: NodeJS.Timeout;
  /** Given up at shutdown: an attempt still running is ignored when it ends. */
  dropped: boolean;
}

/**
 * Sends mail in the background: send() queues and returns, delivery and its retries happen
 * once the request that asked for the mail has been answered.
 *
 * A mail's address and body never reach the logs: the body carries one-time tokens and links, and
 * nodemailer's error messages quote the recipient. Logs name the mail by its kind.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly config: MailConfig;
  private readonly transport: MailTransport;
  private readonly pending = new Set<Delivery>();
  private readonly counts = { sent: 0, failed: 0, retries: 0 };
  private idleWaiters: Array<() => void> = [];
  private draining = false;
  private closed = false;
  private shutdownDone?: Promise<void>;

  constructor(
    config: GatehouseConfig,
    /** Work that may still queue mails: it finishes before the queue is drained. */
    @Optional() private readonly tasks?: BackgroundTasks,
  ) {
    this.config = config.get('mail', { infer: true });
    this.transport = createMailTransport(this.config);
  }

  /**
   * Queues a mail and returns at once. Never throws: a mail that cannot be delivered is logged and
   * counted, it must not fail (or slow down) the request that caused it.
   */
  send(message: MailMessage): void {
    if (this.closed) {
      this.counts.failed++;
      this.logger.error(`mail not sent, the mailer is shut down (${message.kind})`);
      return;
    }
    const delivery: Delivery = { message, attempts: 0, dropped: false };
    this.pending.add(delivery);
    // On a later tick, so not even the rendering runs before the caller's handler has returned.
    setImmediate(() => void this.attempt(delivery));
  }

  stats(): MailStats {
    return { ...this.counts, pending: this.pending.size };
  }

  /** Resolves once nothing is queued, being delivered or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tasks?.drain();
    await this.shutdown();
  }

  /**
   * Delivers what is pending, retries without their wait, for up to `timeoutMs`; drops (and logs)
   * whatever is left, then closes the transport. Later send() calls are refused.
   */
  shutdown(timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    this.shutdownDone ??= this.drainAndClose(timeoutMs);
    return this.shutdownDone;
  }

  private async drainAndClose(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const delivery of this.pending) {
      if (delivery.retry) {
        clearTimeout(delivery.retry);
        void this.attempt(delivery);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    const dropped = drained ? 0 : this.dropPending();
    this.closed = true;
    // Forced: a delivery still running after the bound is stuck on a stalling server.
    this.transport.close({ force: dropped > 0 });
    if (dropped > 0) {
      this.logger.error(
        `shutdown: dropped ${dropped} mail(s) still undelivered after ${timeoutMs} ms`,
      );
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.retry = undefined;
    if (delivery.dropped) return;
    delivery.attempts++;
    if (delivery.attempts > 1) this.counts.retries++;
    let where: string;
    try {
      where = await this.transport.deliver(delivery.message);
    } catch (error) {
      if (!delivery.dropped) this.failed(delivery, error);
      return;
    }
    if (delivery.dropped) return;
    this.counts.sent++;
    const { kind } = delivery.message;
    this.logger.log(
      this.transport.kind === 'outbox'
        ? `mail written to ${where} (${kind})`
        : `mail sent via ${where} (${kind})`,
    );
    this.settle(delivery);
  }

  private failed(delivery: Delivery, error: unknown): void {
    const { kind } = delivery.message;
    const { attempts } = delivery;
    const reason = failureReason(error);
    // A 5xx reply (other than 503) will be the same next time: RFC 5321 section 4.2.1.
    const permanent = (error as NodemailerError | undefined)?.permanent === true;
    if (permanent || attempts >= this.config.maxAttempts || this.closed) {
      this.counts.failed++;
      this.logger.error(
        `mail given up after ${attempts} attempt(s)${permanent ? ', permanently rejected' : ''} (${kind}): ${reason}; ` +
          `${this.counts.failed} undeliverable since start`,
      );
      this.settle(delivery);
      return;
    }
    const delay = this.draining
      ? 0
      : Math.min(this.config.retryBaseMs * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
    this.logger.warn(
      `mail attempt ${attempts} of ${this.config.maxAttempts} failed (${kind}): ${reason}; retrying in ${delay} ms`,
    );
    // Unref'd: a mail waiting for its retry does not keep the process alive on its own.
    delivery.retry = setTimeout(() => void this.attempt(delivery), delay);
    delivery.retry.unref();
  }

  private dropPending(): number {
    const dropped = this.pending.size;
    for (const delivery of this.pending) {
      clearTimeout(delivery.retry);
      delivery.dropped = true;
    }
    this.counts.failed += dropped;
    this.pending.clear();
    this.wakeIdleWaiters();
    return dropped;
  }

  private settle(delivery: Delivery): void {
    this.pending.delete(delivery);
    if (this.pending.size === 0) this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

const LOGGABLE = /^[A-Z][A-Z0-9_ -]{0,39}$/;

/**
 * Why a delivery failed, from nodemailer's codes alone (`EENVELOPE SMTP 451 at RCPT TO`):
 * `error.message` and `error.response` can quote the recipient (`550 <bob@example.com>: no such
 * user`).
 */
function failureReason(error: unknown): string {
  const { code, originalCode, responseCode, command } = (error ?? {}) as NodemailerError;
  const parts = [code, originalCode === code ? undefined : originalCode].filter(
    (part): part is string => typeof part === 'string' && LOGGABLE.test(part),
  );
  if (typeof responseCode === 'number') parts.push(`SMTP ${responseCode}`);
  if (typeof command === 'string' && LOGGABLE.test(command)) parts.push(`at ${command}`);
  if (parts.length > 0) return parts.join(' ');
  return error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name)
    ? error.name
    : 'unknown error';
}
