import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { testCaller } from '../../test/support/http-context';
import { extractBearerToken } from './bearer-token.extractor';
import { admitCaller, callerOf, credentialsOf, rememberUpgrade } from './call-context';

const context = (type: string, args: unknown[]) => {
  const host = new ExecutionContextHost(args);
  host.setType(type);
  return host;
};
const tokenOf = (type: string, args: unknown[]) =>
  extractBearerToken(credentialsOf(context(type, args)).request);
const caller = testCaller;

describe('credentialsOf', () => {
  it('reads an HTTP request’s Authorization header', () => {
    expect(tokenOf('http', [{ headers: { authorization: 'Bearer a.b.c' } }])).toBe('a.b.c');
  });

  it('reads the HTTP request of a GraphQL operation (Apollo’s req, Mercurius’s reply.request)', () => {
    const req = { headers: { authorization: 'Bearer a.b.c' } };
    expect(tokenOf('graphql', [{}, {}, { req }, {}])).toBe('a.b.c');
    expect(tokenOf('graphql', [{}, {}, { reply: { request: req } }, {}])).toBe('a.b.c');
    expect(tokenOf('graphql', [{}, {}, {}, {}])).toBeNull();
  });

  it('reads a socket.io handshake: auth.token first, else its Authorization header', () => {
    const socket = (handshake: object) => [{ handshake }, {}];
    expect(tokenOf('ws', socket({ auth: { token: 'a.b.c' }, headers: {} }))).toBe('a.b.c');
    expect(tokenOf('ws', socket({ auth: { token: 'Bearer a.b.c' }, headers: {} }))).toBe('a.b.c');
    expect(tokenOf('ws', socket({ auth: {}, headers: { authorization: 'Bearer d.e.f' } }))).toBe(
      'd.e.f',
    );
    expect(tokenOf('ws', socket({ auth: { token: 42 }, headers: {} }))).toBeNull();
  });

  it('never reads a token from the query string', () => {
    const handshake = { auth: {}, headers: {}, query: { token: 'a.b.c' } };
    expect(tokenOf('ws', [{ handshake, url: '/?access_token=a.b.c' }, {}])).toBeNull();
  });

  it('reads a ws socket’s upgrade request, once the adapter remembered it', () => {
    const socket = {};
    expect(tokenOf('ws', [socket, {}])).toBeNull();
    rememberUpgrade(socket, { headers: { authorization: 'Bearer a.b.c' } });
    expect(tokenOf('ws', [socket, {}])).toBe('a.b.c');
  });

  it('reads a graphql-ws connection: connectionParams first, else the upgrade request, as HTTP would', () => {
    const subscription = (connection: object) => [{}, {}, { req: connection }, {}];
    expect(
      tokenOf('graphql', subscription({ connectionParams: { authorization: 'Bearer a.b.c' } })),
    ).toBe('a.b.c');
    expect(tokenOf('graphql', subscription({ connectionParams: { token: 'a.b.c' } }))).toBe(
      'a.b.c',
    );
    const upgrade = (rawHeaders: string[]) =>
      subscription({
        connectionParams: {},
        extra: { request: { headers: { authorization: 'Bearer a.b.c' }, rawHeaders } },
      });
    expect(tokenOf('graphql', upgrade(['Authorization', 'Bearer a.b.c']))).toBe('a.b.c');
    // Node keeps the first of repeated headers; HTTP refuses them, and so does this.
    expect(
      tokenOf(
        'graphql',
        upgrade(['Authorization', 'Bearer a.b.c', 'authorization', 'Bearer x.y.z']),
      ),
    ).toBeNull();
  });

  it('reads a message’s authorization field, as a header', () => {
    expect(tokenOf('rpc', [{ authorization: 'Bearer a.b.c', n: 1 }, {}])).toBe('a.b.c');
    expect(tokenOf('rpc', [{ authorization: 'a.b.c' }, {}])).toBeNull();
    expect(tokenOf('rpc', ['Bearer a.b.c', {}])).toBeNull();
  });
});

describe('callerOf', () => {
  it('gives an HTTP request’s caller, also as request.user', () => {
    const request = { headers: {} };
    const ctx = context('http', [request]);
    admitCaller(credentialsOf(ctx), caller);
    expect(callerOf(context('http', [request]))).toBe(caller);
    expect(request).toMatchObject({ user: caller });
  });

  it('gives a socket’s caller to each of its messages, and a message’s to its own call only', () => {
    const socket = { handshake: { auth: {}, headers: {} } };
    admitCaller(credentialsOf(context('ws', [socket, { a: 1 }])), caller);
    expect(callerOf(context('ws', [socket, { b: 2 }]))).toBe(caller);
    expect(callerOf(context('ws', [{ handshake: socket.handshake }, {}]))).toBeUndefined();

    const data = { authorization: 'Bearer a.b.c' };
    admitCaller(credentialsOf(context('rpc', [data, {}])), caller);
    expect(callerOf(context('rpc', [data, {}]))).toBe(caller);
    expect(callerOf(context('rpc', [{ ...data }, {}]))).toBeUndefined();
  });
});
