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
