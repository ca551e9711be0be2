import { ArgumentsHost, ForbiddenException, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { RpcException } from '@nestjs/microservices';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { firstValueFrom, Observable } from 'rxjs';
import { GraphQLRefusal, answerOutsideHttp, closeCodeOf, failureFor } from './call-errors';

describe('failureFor', () => {
  const logger = new Logger('spec');
  beforeEach(() => {
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  const refused = new DomainError(ErrorCode.Forbidden, 'This action requires the role admin');
  const driver = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:3306'), {
    code: 'ECONNREFUSED',
  });

  it('gives each kind of call its own refusal, with Gatehouse’s code', () => {
    expect(failureFor('http', refused, logger)).toBe(refused);
    expect(failureFor('graphql', refused, logger)).toMatchObject({
      message: refused.message,
      extensions: { code: 'FORBIDDEN', gatehouseCode: 'FORBIDDEN' },
    });
    const ws = failureFor('ws', refused, logger);
    expect(ws).toBeInstanceOf(WsException);
    expect((ws as WsException).getError()).toEqual({
      status: 'error',
      statusCode: 403,
      code: 'FORBIDDEN',
      message: refused.message,
    });
    expect(failureFor('rpc', refused, logger)).toBeInstanceOf(RpcException);
  });

  it('leaves anything else on HTTP as it came, for the HTTP filter to read by its code', () => {
    // A driver's error may come from another realm: not `instanceof Error` here.
    const foreign = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.7:3306' };
    expect(failureFor('http', foreign, logger)).toBe(foreign);
    expect(failureFor('http', driver, logger)).toBe(driver);
  });

  it('answers a store that cannot answer with 503, never the driver’s words', () => {
    const graphql = failureFor('graphql', driver, logger) as GraphQLRefusal;
    expect(graphql.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(graphql.message).not.toMatch(/10\.0\.0\.7|ECONNREFUSED/);
    expect(graphql.stack).not.toMatch(/\n\s+at /);
    const rpc = failureFor('rpc', driver, logger) as RpcException;
    expect(rpc.getError()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('hides anything else behind a bare internal error, and logs it', () => {
    const graphql = failureFor('graphql', new Error('secret internals'), logger) as GraphQLRefusal;
    expect(graphql.message).toBe('Internal server error');
    expect(graphql.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(jest.mocked(logger.error)).toHaveBeenCalled();
  });

  it('closes sockets with 4401 and 4403 after HTTP’s statuses', () => {
    expect(closeCodeOf(new DomainError(ErrorCode.InvalidToken, 'x'))).toBe(4401);
    expect(closeCodeOf(refused)).toBe(4403);
    expect(closeCodeOf(new DomainError(ErrorCode.ServiceUnavailable, 'x'))).toBe(4500);
  });
});

describe('answerOutsideHttp', () => {
  const logger = new Logger('spec');
  beforeEach(() => {
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  const socket = { handshake: {}, emit: jest.fn() };
  const hostOf = (type: string) =>
    ({
      getType: () => type,
      switchToWs: () => ({ getClient: () => socket }),
    }) as unknown as ArgumentsHost;
  const rpcErrorOf = (answer: unknown) =>
    firstValueFrom(answer as Observable<never>).catch((error: unknown) => error);
  const refusal = {
    status: 'error',
    statusCode: 401,
    code: 'UNAUTHENTICATED',
    message: 'A bearer access token is required',
  };

  it('passes a guard’s RpcException and WsException on as they are, logging nothing', async () => {
    await expect(
      rpcErrorOf(answerOutsideHttp(new RpcException(refusal), hostOf('rpc'), logger)),
    ).resolves.toEqual(refusal);
    socket.emit.mockClear();
    expect(answerOutsideHttp(new WsException(refusal), hostOf('ws'), logger)).toBeUndefined();
    expect(socket.emit).toHaveBeenCalledWith('exception', refusal);
    // A host's exception with a message alone, as Nest's own filters send it.
    answerOutsideHttp(new WsException('not in this room'), hostOf('ws'), logger);
    expect(socket.emit).toHaveBeenLastCalledWith('exception', {
      status: 'error',
      message: 'not in this room',
    });
    await expect(
      rpcErrorOf(answerOutsideHttp(new RpcException('no such job'), hostOf('rpc'), logger)),
    ).resolves.toEqual({ status: 'error', message: 'no such job' });
    expect(jest.mocked(logger.error)).not.toHaveBeenCalled();
  });

  it('passes GraphQL’s own errors and a host’s HttpException on to GraphQL', () => {
    const graphql = failureFor(
      'graphql',
      new DomainError(ErrorCode.Forbidden, 'This action requires the role admin'),
      logger,
    );
    expect(answerOutsideHttp(graphql, hostOf('graphql'), logger)).toBe(graphql);
    const forbidden = new ForbiddenException();
    expect(answerOutsideHttp(forbidden, hostOf('graphql'), logger)).toBe(forbidden);
  });

  it('answers a DomainError, an outage and anything else as a guard’s failure would be', async () => {
    await expect(
      rpcErrorOf(
        answerOutsideHttp(
          new DomainError(ErrorCode.Forbidden, 'This action requires the role admin'),
          hostOf('rpc'),
          logger,
        ),
      ),
    ).resolves.toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    const outage = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:3306'), {
      code: 'ECONNREFUSED',
    });
    await expect(rpcErrorOf(answerOutsideHttp(outage, hostOf('rpc'), logger))).resolves.toEqual(
      expect.objectContaining({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' }),
    );
    const masked = answerOutsideHttp(new Error('secret internals'), hostOf('graphql'), logger);
    expect(masked).toBeInstanceOf(GraphQLRefusal);
    expect((masked as GraphQLRefusal).message).toBe('Internal server error');
    expect(jest.mocked(logger.error)).toHaveBeenCalledTimes(1);
  });

  it('leaves anything on another kind of call as it came', () => {
    const error = new Error('x');
    expect(answerOutsideHttp(error, hostOf('http'), logger)).toBe(error);
  });
});
