import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { SigningKey, fromStoredKey, toStoredKey } from './signing-key';

/**
 * Keys kept as files: one `<kid>.json` per key in the keys directory, readable by the owner only.
 * The directory is the unit of rotation: `npm run keys:rotate` adds a file, every instance
 * re-reads the directory, and pruning removes the files of keys whose tokens have all expired.
 */
export function readKeyDir(dir: string): SigningKey[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        throw new Error(`${file}: not valid JSON`);
      }
      return fromStoredKey(parsed, file);
    });
}

/** Writes atomically (temporary file, then rename), so a reader never sees half a key. */
export function writeKeyFile(dir: string, key: SigningKey): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${key.kid}.json`);
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(toStoredKey(key), null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return file;
}

export function removeKeyFile(dir: string, kid: string): void {
  rmSync(join(dir, `${kid}.json`), { force: true });
}

/** Keys given in one environment variable: a JSON array of the same objects as the files. */
export function parseKeysVariable(value: string, name = 'JWT_KEYS'): SigningKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`${name} must be a JSON array of keys (see npm run keys:rotate -- --print)`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${name} must be a JSON array of keys`);
  return parsed.map((entry, index) => fromStoredKey(entry, `${name}[${index}]`));
}
