import { Injectable, Logger } from '@nestjs/common';

/** What the audit trail records. */
export type AuditEvent =
  | 'login.success'
  | 'login.failure'
  | 'rate_limited'
  | 'refresh'
  | 'refresh.reuse_detected'
  | 'logout'
  | 'logout_all'
  | 'password.changed'
  | 'password.reset_requested'
  | 'password.reset'
  | 'email.verification_sent'
  | 'email.verified'
  | 'mfa.setup'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.challenge'
  | 'mfa.failure'
  | 'mfa.recovery_code_used'
  | 'admin.mfa_reset'
  | 'passkey.registered'
  | 'passkey.renamed'
  | 'passkey.removed'
  | 'passkey.failure'
  | 'passkey.counter_regressed'
  | 'admin.passkeys_removed'
  | 'session.revoked'
  | 'admin.user_updated'
  | 'admin.sessions_revoked'
  | 'token.revoked'
  | 'account.forgotten'
  | 'reauth.failure';

/**
 * Why a login failed. One category for an unknown email and a wrong password, as in the answer
 * itself: whoever reads the log learns no more about which addresses have an account.
 */
export type LoginFailureReason =
  'invalid_credentials' | 'account_disabled' | 'email_not_verified' | 'locked';

/**
 * What an audit line may carry. Identifiers only: user and session ids, never an email, a
 * password or a token. Log readers are more numerous than database readers, and an email there
 * is personal data to retain and erase; the id leads to the account for whoever may look it up.
 */
export interface AuditFields {
  userId?: string;
  sessionId?: string;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string;
  reason?: string;
  revokedTokens?: number;
  [field: string]: string | number | boolean | null | undefined | string[];
}

/**
 * The audit trail: one structured line per security event, logger context `Audit`, at info
 * (warn for what looks like an attack). Written through Nest's Logger, so in the running app it
 * is a JSON line; callers pass the request's ClientInfo, whose `requestId` ties the line to the
 * request log and to the error body the client saw.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('Audit');

  record(event: AuditEvent, fields: AuditFields = {}): void {
    this.logger.log({ audit: event, ...fields }, `audit ${event}`);
  }

  warn(event: AuditEvent, fields: AuditFields = {}): void {
    this.logger.warn({ audit: event, ...fields }, `audit ${event}`);
  }
}
