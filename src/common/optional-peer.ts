/**
 * A package Gatehouse uses only where the host does (`@nestjs/websockets`, `@nestjs/microservices`):
 * loaded on first use, so an HTTP-only host needs none of them installed and loads none.
 */
export function optionalPeer<T>(name: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
  return require(name) as T;
}
