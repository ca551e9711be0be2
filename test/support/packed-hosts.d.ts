/** The host applications of test/hosts. */
export const HOSTS_DIR: string;
/** `npm pack` of this repository, once per process; resolves to the tarball's path. */
export function packGatehouse(): Promise<string>;
/** The tarball unpacked; resolves to its `package/` folder. */
export function unpack(tarball: string): Promise<string>;
/** The fixture test/hosts/<host> with the tarball installed, compiled; resolves to its folder. */
export function buildHost(host: string, tarball: string): Promise<string>;
