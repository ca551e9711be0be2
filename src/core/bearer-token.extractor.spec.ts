import { extractBearerToken } from './bearer-token.extractor';

const req = (authorization?: string, rawHeaders?: string[]) => ({
  headers: authorization === undefined ? {} : { authorization },
  rawHeaders: rawHeaders ?? (authorization === undefined ? [] : ['Authorization', authorization]),
});

describe('extractBearerToken', () => {
  it('takes the token of a well-formed header, scheme in any case', () => {
    expect(extractBearerToken(req('Bearer abc.def.ghi'))).toBe('abc.def.ghi');
    expect(extractBearerToken(req('bearer abc.def.ghi'))).toBe('abc.def.ghi');
    expect(extractBearerToken(req('BEARER abc-_.~+/=='))).toBe('abc-_.~+/==');
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['the legacy JWT scheme', 'JWT abc.def.ghi'],
    ['two spaces', 'Bearer  abc.def.ghi'],
    ['a second word', 'Bearer abc.def.ghi extra'],
    ['no token', 'Bearer '],
    ['a token alone', 'abc.def.ghi'],
    ['characters outside b64token', 'Bearer abc.def.ghi"'],
  ])('returns null for %s', (_label, header) => {
    expect(extractBearerToken(req(header))).toBeNull();
  });

  it('returns null when the request carried two Authorization headers', () => {
    const raw = ['authorization', 'Bearer a.b.c', 'Authorization', 'Bearer a.b.c'];
    expect(extractBearerToken(req('Bearer a.b.c', raw))).toBeNull();
  });

  it('reads raw headers from a Fastify-style request', () => {
    const fastify = {
      headers: { authorization: 'Bearer a.b.c' },
      raw: { rawHeaders: ['Authorization', 'Bearer a.b.c', 'authorization', 'Bearer x.y.z'] },
    };
    expect(extractBearerToken(fastify)).toBeNull();
  });

  it('returns null for an oversized header without parsing it', () => {
    expect(extractBearerToken(req(`Bearer ${'a'.repeat(10000)}`))).toBeNull();
  });
});
