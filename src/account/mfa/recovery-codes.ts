import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32 (https://www.crockford.com/base32.html): no I, L or O to misread as 1 and 0,
// and no U, so a code cannot spell the commonest obscenities. 32 symbols carry 5 bits each.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 12;
const GROUP_LENGTH = 4;
const NORMALIZED = /^[0-9a-hjkmnp-tv-z]{12}$/;
// Generating more than this is a caller bug, and would make the uniqueness loop pointless work.
const MAX_COUNT = 100;

/**
 * Fresh recovery codes formatted `xxxx-xxxx-xxxx`: 12 Crockford base32 characters, 60 random bits
 * each, distinct within the set so the user never holds two copies of one single-use code.
 */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new RangeError(`recovery code count must be an integer from 1 to ${MAX_COUNT}`);
  }
  const codes = new Set<string>();
  while (codes.size < count) codes.add(formatCode(randomCode()));
  return [...codes];
}

/**
 * Turns what a user typed into the stored form: lower case, spaces and dashes removed, and
 * Crockford's look-alikes read as the digits they resemble (i and l as 1, o as 0). Returns
 * undefined unless exactly 12 alphabet characters remain.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const normalized = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return NORMALIZED.test(normalized) ? normalized : undefined;
}

/**
 * Hex SHA-256 of a normalised code, for storage and lookup.
 *
 * A slow, salted hash (bcrypt) exists to make guessable passwords expensive to guess; these codes
 * are 60 uniformly random bits, so even unsalted an offline attacker needs on the order of 2^59
 * hashes per code, and what they would recover is only a second factor that still needs the
 * password. A fast hash also lets the code be found by an indexed equality lookup instead of a
 * bcrypt compare against every stored code on each attempt.
 *
 * Throws if given anything but a normalised code: hashing the displayed form would store a value
 * that no later, normalised input could ever match.
 */
export function hashRecoveryCode(normalized: string, userId: string): string {
  if (!NORMALIZED.test(normalized)) throw new Error('hashRecoveryCode expects a normalised code');
  // Salted with the user id: one guess tested against a dump matches one account's codes only.
  return createHash('sha256').update(`${userId}:${normalized}`, 'utf8').digest('hex');
}

function randomCode(): string {
  let code = '';
  // randomInt rejects out-of-range draws internally, so every symbol is equally likely.
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

function formatCode(code: string): string {
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += GROUP_LENGTH) groups.push(code.slice(i, i + GROUP_LENGTH));
  return groups.join('-');
}
