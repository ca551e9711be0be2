/** RFC 6749 §5.2 error codes used by the token endpoint. */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_client'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable'
  /** Not RFC 6749's: the password was right, the second factor is due (as Auth0 answers). */
  | 'mfa_required';

/** An error the token endpoint reports in RFC 6749 §5.2 form. */
export class OAuth2Error extends Error {
  constructor(
    public readonly error: OAuth2ErrorCode,
    public readonly description: string,
    public readonly status = 400,
    /** Members added to the error body (the mfa_token of `mfa_required`). */
    public readonly extra: Record<string, unknown> = {},
  ) {
    super(description);
    this.name = 'OAuth2Error';
  }
}
