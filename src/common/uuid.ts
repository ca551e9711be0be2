/** A UUID as `randomUUID()` writes it (lower-case hex): the ids Gatehouse generates. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isGeneratedUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
