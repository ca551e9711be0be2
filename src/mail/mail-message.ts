/** What a mail is about; it names the mail in logs, where its address and body may not appear. */
export type MailKind =
  | 'email_verification'
  | 'password_reset'
  | 'password_changed'
  | 'two_factor_changed'
  | 'passkey_changed'
  | 'registration_attempt';

/** A rendered mail, ready for the Mailer (see templates.ts). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: MailKind;
}
