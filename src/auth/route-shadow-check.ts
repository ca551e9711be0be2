import { Inject, Injectable, OnApplicationBootstrap, Optional, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { controllersFor } from './route-controllers';
import { MOUNTED_ROUTES } from './routes';
import type { MountedRoutes } from './routes';

/** What this check reads of an Express router layer (Express 4 and 5 alike). */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  match(path: string): boolean;
}

/**
 * Express answers a request with the first route that matches it, in registration order, and a
 * host's own modules usually register theirs before AuthModule's: a host's `GET /users/:id` would
 * answer every `GET /users/me`. So on Express the boot stops, naming both routes and the option
 * that avoids the clash. Fastify needs no check: its router prefers static segments, and refuses
 * a route declared twice at registration.
 *
 * Runs once all routes are registered (Nest registers them before the bootstrap hooks). A route
 * of Gatehouse's not found where expected (URI versioning, say) is not checked rather than
 * guessed at: the check never stops a boot that has no clash.
 */
@Injectable()
export class RouteShadowCheck implements OnApplicationBootstrap {
  constructor(
    @Inject(MOUNTED_ROUTES) private readonly mounted: MountedRoutes,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly application?: ApplicationConfig,
  ) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    const app = adapter.getInstance<{ router?: { stack?: RouterLayer[] }; _router?: { stack?: RouterLayer[] } }>();
    const stack = (app.router ?? app._router)?.stack ?? [];
    const clashes = this.gatehouseRoutes().flatMap(({ method, path }) => {
      const ours = findLastIndex(stack, (layer) => layer.route?.path === path && handles(layer, method));
      const first = stack.findIndex((layer, index) => index < ours && layer.route && handles(layer, method) && layer.match(path));
      return ours >= 0 && first >= 0 ? [`${method.toUpperCase()} ${String(stack[first].route?.path)} answers Gatehouse's ${method.toUpperCase()} ${path}`] : [];
    });
    if (clashes.length > 0) {
      throw new Error(
        `AuthModule: routes registered before Gatehouse's take its requests (Express answers with the first route that matches): ${clashes.join('; ')}. ` +
          'Mount Gatehouse elsewhere with the routes.prefix option of AuthModule.forRoot (e.g. "identity"), or move the route.',
      );
    }
  }

  /** Gatehouse's routes as Nest registered them: global prefix, mount, controller, method. */
  private gatehouseRoutes(): { method: string; path: string }[] {
    const globalPrefix = this.application?.getGlobalPrefix() ?? '';
    return controllersFor(this.mounted).flatMap((controller: Type) =>
      handlersOf(controller).flatMap((handler) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
        return paths(controller).flatMap((base) =>
          paths(handler).map((own) => ({ method, path: joinPath(globalPrefix, this.mounted.prefix, base, own) })),
        );
      }),
    );
  }
}

function handlersOf(controller: Type): object[] {
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype)
    .map((name) => prototype[name])
    .filter((value): value is object => typeof value === 'function' && Reflect.hasMetadata(METHOD_METADATA, value));
}

function paths(target: object): string[] {
  const value = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return Array.isArray(value) ? value : [value ?? ''];
}

function joinPath(...segments: string[]): string {
  const path = segments.map((segment) => segment.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  return `/${path}`;
}

function handles(layer: RouterLayer, method: string): boolean {
  const methods = layer.route?.methods ?? {};
  return Boolean(methods[method] ?? methods._all);
}

function findLastIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) if (predicate(items[index])) return index;
  return -1;
}
