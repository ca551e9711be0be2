import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The 49,000-odd most common passwords, ranked from public breach corpora, as zxcvbn-ts keeps
 * them (OWASP ASVS 5.0 V6.2.4 asks for at least the 3,000 most common, with their trivial
 * variants). Shipped inside the package: no network. Loaded on first use (~30 ms).
 */
let common: Set<string> | undefined;
const list = () =>
  (common ??= new Set(dictionary['passwords-common'].map((p) => p.normalize('NFC').toLowerCase())));

/** The substitutions people make to a word they think makes it stronger. */
const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '2': 'z',
};

/**
 * Whether the password is one of the common ones, or a trivial variant of one: in any case, with
 * look-alike digits and symbols for letters (`P@ssw0rd`), or with a few digits or symbols before
 * or after it (`monkey2024!`, `!!dragon`).
 */
export function isCommonPassword(password: string): boolean {
  const known = list();
  const lower = password.normalize('NFC').toLowerCase();
  const trimmed = lower.replace(/^[\d\W_]{1,4}/u, '').replace(/[\d\W_]{1,4}$/u, '');
  const candidates = [lower, trimmed, deleet(lower), deleet(trimmed)];
  // A base of fewer than 4 letters is no word: `1234abc!` is not "abc".
  return candidates.some((candidate) => candidate.length >= 4 && known.has(candidate));
}

function deleet(word: string): string {
  return [...word].map((c) => LEET[c] ?? c).join('');
}
