import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layers of docs/ARCHITECTURE.md, lowest first. A folder may import from folders of lower
 * layers only: never from its own layer's other folders, never upwards, so no two features
 * import each other, directly or round a circle. A new folder must be placed here on purpose.
 * src/server, src/main.ts and src/index.ts are outside: the server reaches the package through
 * src/index.ts alone (an ESLint rule), and index.ts is the package's face over everything.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['common', 'keys'],
  ['config'],
  ['database', 'mail', 'redis', 'core'],
  ['throttling', 'users'],
  ['tokens'],
  ['passkeys'],
  ['account', 'sockets'],
  ['admin'],
  ['schema'],
  ['auth'],
  ['cli'],
];
const OUTSIDE = new Set(['server']);

const SRC = resolve(__dirname);
const layerOf = new Map(
  LAYERS.flatMap((folders, layer) => folders.map((f) => [f, layer] as const)),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The top folder of src a path is in, or undefined for a file directly in src. */
function folderOf(path: string): string | undefined {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

/** Every module specifier: `from '…'`, `import '…'`, `import('…')`, `require('…')`. */
const IMPORT = /(?:\bfrom|\bimport|\bimport\(|\brequire\()\s*['"]([^'"]+)['"]/g;
/** A specifier naming a file of this package: relative (`..` included), or rooted at `src/`. */
const isOurs = (spec: string) => spec.startsWith('.') || spec.startsWith('src/');
const targetOf = (file: string, spec: string) =>
  spec.startsWith('src/') ? resolve(SRC, '..', spec) : resolve(dirname(file), spec);

describe('architecture', () => {
  const importsOf = (file: string) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((match) => match[1])
      .filter(isOurs)
      .map((spec) => ({
        file: relative(SRC, file),
        from: folderOf(file),
        target: targetOf(file, spec),
        to: folderOf(targetOf(file, spec)),
        spec,
      }));
  const all = sourceFiles(SRC).flatMap(importsOf);
  const imports = all.filter(({ from }) => from !== undefined && !OUTSIDE.has(from));

  it('places every folder of src in a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !OUTSIDE.has(entry.name))
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !layerOf.has(folder))).toEqual([]);
  });

  it('imports only downwards: no feature imports another of its layer or above', () => {
    const upwards = imports
      .filter(({ from, to }) => to !== from)
      .filter(
        ({ from, to }) =>
          to === undefined || !((layerOf.get(to) ?? 99) < (layerOf.get(from ?? '') ?? -1)),
      )
      .map(({ file, spec }) => `${file} imports ${spec}`);
    expect(upwards).toEqual([]);
  });

  it('names no file by a path rooted at src/ (it would compile through baseUrl, and hide here)', () => {
    expect(all.filter(({ spec }) => spec.startsWith('src/')).map(({ file }) => file)).toEqual([]);
  });

  it('lets the server reach the package through src/index.ts only', () => {
    const index = join(SRC, 'index');
    const deep = all
      .filter(({ from, file }) => from === 'server' || file === 'main.ts')
      .filter(({ to, target }) => to !== 'server' && target !== index && target !== SRC)
      .map(({ file, spec }) => `${file} imports ${spec}`);
    expect(deep).toEqual([]);
  });

  it('loads the optional integrations only where a host asks for them', () => {
    // Installed by hosts that use them only: a value import anywhere else would make every host
    // install them. Types are erased; Gatehouse's own errors load them on use (optionalPeer).
    const optional =
      /^(@nestjs\/(websockets|microservices|graphql|apollo|platform-socket\.io|platform-ws)|graphql|graphql-ws|socket\.io|ws)(\/|$)/;
    const valueImport = /^import\s+(?!type\b)[^;]*?from\s*['"]([^'"]+)['"]/gm;
    const loading = sourceFiles(SRC)
      .filter((file) => folderOf(file) !== 'sockets')
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(valueImport)]
          .filter((match) => optional.test(match[1]))
          .map((match) => `${relative(SRC, file)} imports ${match[1]}`),
      );
    expect(loading).toEqual([]);
    // The adapters are reached by their own entry points, never through src/index.ts.
    const intoSockets = all
      .filter(({ from, to }) => to === 'sockets' && from !== 'sockets')
      .map(({ file, spec }) => `${file} imports ${spec}`);
    expect(intoSockets).toEqual([]);
  });

  it('reads the imports it judges (a check that found none would pass anything)', () => {
    expect(imports.filter(({ from, to }) => to !== from).length).toBeGreaterThan(300);
    expect(imports.some(({ from, to }) => from === 'auth' && to === 'core')).toBe(true);
  });
});
