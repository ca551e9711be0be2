/** RFC 6749 §5.2 error codes used by the token endpoint. */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_client'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable';

/** An error the token endpoint reports in RFC 6749 §5.2 form. */
export class OAuth2Error extends Error {
  constructor(
    public readonly error: OAuth2ErrorCode,
    public readonly description: string,
  ) {
    super(description);
    this.name = 'OAuth2Error';
  }
}
