import { registerDecorator } from 'class-validator';
import { ConfigValidationError } from './config-validation.error';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;

/** How one variable (or option) reads a duration, beyond the rule every duration follows. */
export interface DurationRule {
  /** 0 would mean "no limit" or "never": refused, as `NAME must be longer than 0`. */
  positive?: boolean;
  /** Kept in whole seconds (token lifetimes, expiries): `1500ms` is refused, not rounded. */
  wholeSeconds?: boolean;
  /**
   * A bare number meant milliseconds here before there was one rule. Read as seconds now, an
   * existing `1500` would silently last 1000 times longer, so it is refused, naming the variable
   * and the unit to add. (`0` means the same in any unit, and stays allowed where 0 is.)
   */
  unitRequired?: boolean;
  /**
   * Feeds a timer (setTimeout, setInterval, a socket or statement timeout): at most 2^31 - 1 ms,
   * about 24.8 days, past which Node fires it after 1 ms instead.
   */
  timer?: boolean;
}

/** The longest delay a Node timer takes as given. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What is wrong with `value` as the duration `name`, or undefined when it is fine. */
export function durationProblem(
  name: string,
  value: string,
  rule: DurationRule = {},
): string | undefined {
  const match = DURATION.exec(value.trim());
  if (!match) {
    return `${name} must be a duration: a number with a unit, ms, s, m, h or d (a bare number is seconds), such as 30s or 15m; got ${JSON.stringify(value)}`;
  }
  const [, amount, unit] = match;
  const ms = Number(amount) * UNIT_MS[(unit ?? 's') as keyof typeof UNIT_MS];
  if (rule.positive && ms === 0) return `${name} must be longer than 0`;
  if (rule.unitRequired && unit === undefined && ms !== 0) {
    return (
      `${name}=${amount} needs a unit, such as ${amount}ms or ${amount}s: a bare number meant ` +
      `milliseconds for ${name} and is seconds everywhere now, so it is refused rather than read 1000 times longer`
    );
  }
  if (!Number.isSafeInteger(ms)) return `${name} is too long (got ${JSON.stringify(value)})`;
  if (rule.timer && ms > MAX_TIMER_MS) {
    return `${name} must be at most 24d (a timer; got ${JSON.stringify(value)})`;
  }
  if (rule.wholeSeconds && ms % 1000 !== 0) {
    return `${name} must be a whole number of seconds (got ${JSON.stringify(value)})`;
  }
  return undefined;
}

/**
 * The one duration parser: `1500ms`, `30s`, `15m`, `2h`, `14d` → milliseconds. A bare number is
 * seconds, for every variable and option alike, as for most TTLs (JWT's `exp` is in seconds,
 * RFC 7519 §4.1.4), so `900` never means 15 minutes in one place and 0.9 s in another.
 * Throws ConfigValidationError naming `name`.
 */
export function parseDuration(value: string, name: string, rule: DurationRule = {}): number {
  const problem = durationProblem(name, value, rule);
  if (problem) throw new ConfigValidationError([problem]);
  const [, amount, unit] = DURATION.exec(value.trim()) ?? [];
  return Number(amount) * UNIT_MS[(unit ?? 's') as keyof typeof UNIT_MS];
}

/** The class-validator form of {@link durationProblem}, for a schema of variables. */
export function IsDuration(rule: DurationRule = {}): PropertyDecorator {
  return (target, propertyName) => {
    const name = String(propertyName);
    registerDecorator({
      name: 'isDuration',
      target: target.constructor,
      propertyName: name,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && durationProblem(name, value, rule) === undefined,
        defaultMessage: (args) =>
          durationProblem(name, String(args?.value), rule) ?? `${name} is invalid`,
      },
    });
  };
}
