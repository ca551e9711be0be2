/** The groups of routes a host may leave out; login, refresh, logout and /users/me always come. */
export const ROUTE_GROUPS = [
  'admin',
  'two-factor',
  'sessions',
  'introspection',
  'jwks',
  'account-mails',
  'passkeys',
] as const;
export type GatehouseRouteGroup = (typeof ROUTE_GROUPS)[number];

/** Where Gatehouse's routes live in the host (`AuthModule.forRoot({ routes })`). */
export interface GatehouseRoutes {
  /**
   * A path every Gatehouse route is mounted under: `identity` serves `/identity/auth/login`,
   * `/identity/users/me`… Default: none (`/auth/login`). The host's global prefix comes first.
   */
  prefix?: string;
  /** Groups left out entirely: no route, no Swagger operation. */
  exclude?: GatehouseRouteGroup[];
}

/** The routes as AuthModule mounts them: the prefix without slashes around it. */
export const MOUNTED_ROUTES = Symbol('gatehouse:mounted-routes');

export interface MountedRoutes {
  prefix: string;
  groups: GatehouseRouteGroup[];
}

/** Checks the option as the boot reads it: a typo stops the boot naming `routes`. */
export function mountRoutes(routes: GatehouseRoutes = {}): MountedRoutes {
  const prefix = (routes.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._~-]*(\/[A-Za-z0-9._~-]+)*$/.test(prefix)) {
    throw new Error(
      `AuthModule: routes.prefix "${routes.prefix}" is not a path (letters, digits, "-", "_", ".", "~" and "/")`,
    );
  }
  const unknown = (routes.exclude ?? []).filter(
    (group) => !(ROUTE_GROUPS as readonly string[]).includes(group),
  );
  if (unknown.length > 0) {
    throw new Error(
      `AuthModule: routes.exclude has unknown group(s) ${unknown.join(', ')}; the groups are ${ROUTE_GROUPS.join(', ')}`,
    );
  }
  return { prefix, groups: ROUTE_GROUPS.filter((group) => !routes.exclude?.includes(group)) };
}
