import { acceptRequestId, ensureRequestId } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it.each(['test-abc.123', 'a', 'A_b-C.9', 'x'.repeat(64)])('keeps a sane caller id: %s', (id) => {
    expect(acceptRequestId(id)).toBe(id);
  });

  it.each([
    ['too long', 'x'.repeat(65)],
    ['empty', ''],
    ['a newline', 'abc\ndef'],
    ['quotes', 'abc"def'],
    ['spaces and commas (a repeated header)', 'a, b'],
    ['markup', '<script>'],
    ['not a string', ['a', 'b']],
    ['absent', undefined],
  ])('replaces an id with %s by a fresh UUID', (_why, value) => {
    expect(acceptRequestId(value)).toMatch(UUID);
  });

  it('assigns an id once, so every later reader sees the same', () => {
    const req: { id?: unknown; headers: Record<string, string> } = { headers: {} };
    const first = ensureRequestId(req);
    expect(first).toMatch(UUID);
    expect(ensureRequestId(req)).toBe(first);
    expect(req.id).toBe(first);
  });

  it('keeps an id already given, and takes a sane header otherwise', () => {
    expect(ensureRequestId({ id: 'given', headers: { 'x-request-id': 'other' } })).toBe('given');
    expect(ensureRequestId({ headers: { 'x-request-id': 'from-header' } })).toBe('from-header');
  });
});
