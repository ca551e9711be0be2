/** Who asked for a token, kept on its row for the session list. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
  /** The request's id, so audit lines name the request they belong to (never stored on rows). */
  requestId?: string;
}
