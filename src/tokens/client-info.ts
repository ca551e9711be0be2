/** Who asked for a token, kept on its row for the session list. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}
