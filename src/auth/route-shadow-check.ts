import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  Optional,
  RequestMethod,
  Type,
} from '@nestjs/common';
import {
  HOST_METADATA,
  METHOD_METADATA,
  MODULE_PATH,
  PATH_METADATA,
} from '@nestjs/common/constants';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { controllersFor } from './route-controllers';
import { MOUNTED_ROUTES } from './routes';
import type { MountedRoutes } from './routes';

/** What this check reads of an Express router layer. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

/** A controller route as Nest registers it, in registration order. */
interface ControllerRoute {
  method: string;
  path: string;
  gatehouse: boolean;
}

/**
 * Express answers a request with the first route that matches it, in registration order, and a
 * host's own modules usually register theirs before AuthModule's: a host's `GET /users/:id` would
 * answer every `GET /users/me`. So on Express the boot stops when a route of the application's
 * would take a Gatehouse route's requests, or declares the same one, naming both routes and the
 * option that avoids it. Fastify needs no check: its router prefers static segments, and refuses
 * a route declared twice.
 *
 * The controllers' routes are listed from their metadata, in the order Nest registers them, and
 * matched against the router's last route entries (middleware come first, and call next() rather
 * than answer). Where the two lists do not line up (versioning, host routing, global prefix
 * exclusions, routes added by hand), the check stands aside rather than guess: it never stops a
 * boot that has no clash.
 */
@Injectable()
export class RouteShadowCheck implements OnApplicationBootstrap {
  constructor(
    @Inject(MOUNTED_ROUTES) private readonly mounted: MountedRoutes,
    private readonly modules: ModulesContainer,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly application?: ApplicationConfig,
  ) {}

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter?.getType() !== 'express' || this.application?.getVersioning()) return;
    // Express 4 keeps its router in _router (its `router` getter throws); Express 5 in router.
    const app = adapter.getInstance<{
      _router?: { stack?: RouterLayer[] };
      router?: { stack?: RouterLayer[] };
    }>();
    const stack = (app._router ?? app.router)?.stack ?? [];
    const routes = this.controllerRoutes();
    if (!routes) return;
    const entries = stack.filter((layer) => layer.route).slice(-routes.length);
    const aligned =
      entries.length === routes.length &&
      entries.every(
        (layer, index) =>
          layer.route?.path === routes[index].path && handles(layer, routes[index].method),
      );
    if (!aligned) return;

    const clashes: string[] = [];
    routes.forEach((ours, index) => {
      if (!ours.gatehouse) return;
      routes.forEach((theirs, other) => {
        if (theirs.gatehouse || !handles(entries[other], ours.method)) return;
        const name = `${ours.method.toUpperCase()} ${ours.path}`;
        if (theirs.path === ours.path) clashes.push(`${name} is declared by the application too`);
        else if (other < index && entries[other].match(ours.path)) {
          clashes.push(`${theirs.method.toUpperCase()} ${theirs.path} answers Gatehouse's ${name}`);
        }
      });
    });
    if (clashes.length > 0) {
      throw new Error(
        `AuthModule: routes of the application take Gatehouse's requests (Express answers with the first route that matches): ${clashes.join('; ')}. ` +
          'Mount Gatehouse elsewhere with the routes.prefix option of AuthModule.forRoot (e.g. "identity"), or change the route.',
      );
    }
  }

  /** Every controller route of the application, or undefined where host routing is in use. */
  private controllerRoutes(): ControllerRoute[] | undefined {
    const ours = new Set<unknown>(controllersFor(this.mounted));
    const globalPrefix = this.application?.getGlobalPrefix() ?? '';
    const routes: ControllerRoute[] = [];
    for (const module of this.modules.values()) {
      const modulePath = (Reflect.getMetadata(
        `${MODULE_PATH}${this.modules.applicationId}`,
        module.metatype,
      ) ??
        Reflect.getMetadata(MODULE_PATH, module.metatype) ??
        '') as string;
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as Type | null;
        if (!controller) continue;
        if (Reflect.getMetadata(HOST_METADATA, controller) !== undefined) return undefined;
        for (const base of paths(controller)) {
          for (const handler of handlersOf(controller)) {
            const method =
              RequestMethod[
                Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod
              ].toLowerCase();
            for (const own of paths(handler)) {
              routes.push({
                method,
                path: joinPath(globalPrefix, modulePath, base, own),
                gatehouse: ours.has(controller),
              });
            }
          }
        }
      }
    }
    return routes;
  }
}

/** Route handlers in the order Nest's scanner finds them: own methods, then inherited ones. */
function handlersOf(controller: Type): object[] {
  const handlers: object[] = [];
  const seen = new Set<string>();
  for (
    let prototype = controller.prototype as object | null;
    prototype && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor' || seen.has(name)) continue;
      seen.add(name);
      const value = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
      if (typeof value === 'function' && Reflect.hasMetadata(METHOD_METADATA, value))
        handlers.push(value);
    }
  }
  return handlers;
}

function paths(target: object): string[] {
  const value = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return Array.isArray(value) ? value : [value ?? ''];
}

function joinPath(...segments: string[]): string {
  return `/${segments
    .map((segment) => segment.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}

function handles(layer: RouterLayer, method: string): boolean {
  const methods = layer.route?.methods ?? {};
  return Boolean(methods[method] ?? methods._all);
}
