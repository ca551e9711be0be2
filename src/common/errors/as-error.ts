/**
 * The value as an Error, without `instanceof`: errors raised by Node's own modules (a refused
 * socket in the database driver, say) may come from another realm, where `instanceof Error` is
 * false. Passport hands them over untyped.
 */
export function asError(value: unknown): Error {
  if (typeof value === 'object' && value !== null && 'message' in value) return value as Error;
  return new Error(typeof value === 'string' ? value : 'unknown error');
}
