import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { LiveSessions } from '../tokens/live-sessions.service';
import { GraphqlWsConnections } from './graphql-ws-connections';

describe('GraphqlWsConnections', () => {
  const claims = { jti: 't1' };
  const caller = { id: 'u1' };
  let ends: Array<(why: DomainError) => void>;
  const stop = jest.fn();
  const live = {
    verify: jest.fn(),
    watch: jest.fn((_claims: unknown, end: (why: DomainError) => void) => {
      ends.push(end);
      return stop;
    }),
  };
  const hooks = (requireToken?: boolean) =>
    new GraphqlWsConnections(live as unknown as LiveSessions).hooks({ requireToken });
  const connection = (connectionParams?: Record<string, unknown>) => {
    const socket = { close: jest.fn() };
    return { connectionParams, extra: { socket, request: { headers: {} } }, socket };
  };

  beforeEach(() => {
    ends = [];
    stop.mockReset();
    live.verify.mockReset().mockResolvedValue({ caller, claims, generation: 0 });
    live.watch.mockClear();
  });

  it('signs a connection in with its connectionParams, and watches its token until it closes', async () => {
    const { onConnect, onClose } = hooks();
    const c = connection({ authorization: 'Bearer a.b.c' });
    await expect(onConnect(c)).resolves.toBe(true);
    expect(live.verify).toHaveBeenCalledWith('a.b.c');
    expect(live.watch).toHaveBeenCalledWith(
      { caller, claims, generation: 0 },
      expect.any(Function),
    );
    await onClose(c);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('closes the connection with 4401 and the reason when its session ends', async () => {
    const c = connection({ token: 'a.b.c' });
    await hooks().onConnect(c);
    ends[0](new DomainError(ErrorCode.InvalidToken, 'The session ended'));
    expect(c.socket.close).toHaveBeenCalledWith(4401, 'The session ended');
  });

  it('refuses a bad token at init, closing with its reason', async () => {
    live.verify.mockRejectedValue(
      new DomainError(ErrorCode.InvalidToken, 'The access token is invalid, expired or revoked'),
    );
    const c = connection({ authorization: 'Bearer a.b.c' });
    await expect(hooks().onConnect(c)).resolves.toBe(false);
    expect(c.socket.close).toHaveBeenCalledWith(
      4401,
      'The access token is invalid, expired or revoked',
    );
    const malformed = connection({ authorization: 42 });
    await expect(hooks().onConnect(malformed)).resolves.toBe(false);
    expect(live.watch).not.toHaveBeenCalled();
  });

  it('admits a connection without a token, unless one is required', async () => {
    await expect(hooks().onConnect(connection())).resolves.toBe(true);
    const c = connection();
    await expect(hooks(true).onConnect(c)).resolves.toBe(false);
    expect(c.socket.close).toHaveBeenCalledWith(4401, 'A bearer access token is required');
  });

  it('watches nothing for a connection closed while its token was being checked', async () => {
    const { onConnect, onClose } = hooks();
    const c = connection({ authorization: 'Bearer a.b.c' });
    const connecting = onConnect(c);
    void onClose(c);
    await expect(connecting).resolves.toBe(false);
    expect(live.watch).not.toHaveBeenCalled();
  });

  it('runs the host’s own hooks after its own, and lets the host refuse too', async () => {
    const onConnect = jest.fn().mockReturnValueOnce(undefined).mockReturnValueOnce(false);
    const onClose = jest.fn();
    const composed = new GraphqlWsConnections(live as unknown as LiveSessions).hooks({
      onConnect,
      onClose,
    });
    const c = connection({ authorization: 'Bearer a.b.c' });
    await expect(composed.onConnect(c)).resolves.toBe(true);
    await expect(composed.onConnect(connection({ authorization: 'Bearer a.b.c' }))).resolves.toBe(
      false,
    );
    await composed.onClose(c);
    expect(onClose).toHaveBeenCalledWith(c);
    live.verify.mockRejectedValue(new DomainError(ErrorCode.InvalidToken, 'refused'));
    onConnect.mockClear();
    await expect(composed.onConnect(connection({ authorization: 'Bearer x.y.z' }))).resolves.toBe(
      false,
    );
    expect(onConnect).not.toHaveBeenCalled();
  });

  it('closes with 4500 when the store cannot answer, and says only that', async () => {
    live.verify.mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:3306'));
    const c = connection({ authorization: 'Bearer a.b.c' });
    await expect(hooks().onConnect(c)).resolves.toBe(false);
    expect(c.socket.close).toHaveBeenCalledWith(4500, 'The service is temporarily unavailable');
  });
});
