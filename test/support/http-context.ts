import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';

/**
 * An HTTP ExecutionContext for guard specs: the given request, and optionally the controller
 * class and handler whose metadata the guard reads.
 */
export function httpContext(
  request: object,
  route?: { cls: object; handler: (...args: unknown[]) => unknown },
): ExecutionContextHost {
  const ctx = new ExecutionContextHost([request, {}, () => undefined]);
  ctx.setType('http');
  if (route) {
    jest.spyOn(ctx, 'getClass').mockReturnValue(route.cls as never);
    jest.spyOn(ctx, 'getHandler').mockReturnValue(route.handler);
  }
  return ctx;
}

/** An admitted caller for guard and call-context specs. */
export const testCaller = {
  id: 'u1',
  sub: 'u1',
  roles: ['user'],
  tokenId: 't1',
  sessionId: 's1',
  expiresAt: 2_000_000_000,
  claims: {},
};
