import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

type Cache = WeakMap<object, WeakMap<object, unknown>>;
const caches = new Map<string, Cache>();

/**
 * `reflector.getAllAndOverride(key, [handler, class])`, read once per handler and class: route
 * metadata is fixed once the application has started, and a guard asks on every request and
 * every socket message.
 */
export function handlerMetadata<T>(
  reflector: Reflector,
  key: string,
  context: ExecutionContext,
): T | undefined {
  const handler = context.getHandler();
  const type = context.getClass();
  let cache = caches.get(key);
  if (!cache) caches.set(key, (cache = new WeakMap()));
  let byClass = cache.get(handler);
  if (!byClass) cache.set(handler, (byClass = new WeakMap()));
  if (byClass.has(type)) return byClass.get(type) as T | undefined;
  const value = reflector.getAllAndOverride<T | undefined>(key, [handler, type]);
  byClass.set(type, value);
  return value;
}
