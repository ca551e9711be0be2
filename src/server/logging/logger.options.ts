/** Body fields that carry a secret, wherever they might end up in a log object. */
const SECRET_FIELDS = [
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
  'client_secret',
  'mfa_token',
  // Not `code`: errors carry theirs (ECONNREFUSED…), and a log reader needs it.
  'recovery_code',
  'recovery_codes',
  'secret',
  'otpauth_uri',
  'qr_code',
];

/**
 * Belt and braces: request lines carry no header or body (see requestLogger), and an audit line
 * never carries a credential; should someone log one anyway, these paths are censored.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `req.body.${field}`]),
];

/**
 * The path without its query string: RFC 6750 §2.3 lets clients put `access_token` there, and
 * though this API refuses it, the URL would still reach the log.
 */
export function pathOnly(url: string | undefined): string | undefined {
  return url?.replace(/[?#].*$/s, '');
}
