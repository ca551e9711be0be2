/** Thrown at boot; names every bad variable so the operator can fix them all in one go. */
export class ConfigValidationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Runs every check, collecting the problems of each that throws ConfigValidationError rather
 * than stopping at the first, then throws them all as one (any other error goes through as is).
 * Each check's result comes back under its name.
 */
export function checkAll<T extends Record<string, () => unknown>>(
  checks: T,
  problems: string[] = [],
): { [K in keyof T]: ReturnType<T[K]> } {
  const found = [...problems];
  const results: Partial<Record<keyof T, unknown>> = {};
  for (const name of Object.keys(checks) as Array<keyof T>) {
    try {
      results[name] = checks[name]();
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      found.push(...error.problems);
    }
  }
  // A variable two checks both read (NODE_ENV, PORT…) is named once.
  if (found.length > 0) throw new ConfigValidationError([...new Set(found)]);
  return results as { [K in keyof T]: ReturnType<T[K]> };
}
