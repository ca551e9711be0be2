import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * What an address may not contain anywhere, edges included: controls (CR and LF above all: a
 * header injection waiting for a mail), format characters (zero-width joiners and spaces, soft
 * hyphens, the bidirectional embeddings, overrides and isolates that make text read in another
 * order than it is stored), private-use and unassigned code points, line and paragraph
 * separators, and every default-ignorable code point (invisible by definition).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/** Whether an address carries a character {@link canonicalEmail} refuses. */
export function hasHiddenCharacters(email: string): boolean {
  return HIDDEN.test(email);
}

/**
 * The one form in which Gatehouse stores and compares an address, so that one person-visible
 * address is one account. Modelled on PRECIS (RFC 8264) as RFC 8265 applies it to usernames,
 * with the compatibility mapping RFC 8265 leaves out, since look-alikes are what it is for:
 *
 * 1. refused (`undefined`) when it carries a character {@link hasHiddenCharacters} names;
 * 2. surrounding spaces trimmed;
 * 3. NFKC: compatibility forms folded into their plain letters (full-width `ａ` → `a`, `ﬁ` →
 *    `fi`, superscripts, circled letters), decomposed accents composed (`e` + U+0301 → `é`);
 * 4. lower-cased (Unicode default case mapping), then NFKC again, since lower-casing can undo it;
 * 5. the domain in its IDNA (UTS #46) form, given back in Unicode: `BÜCHER.de`, `bücher.de` and
 *    `xn--bcher-kva.de` are one domain.
 *
 * The local part keeps its letters otherwise: `ada.l@x` and `adal@x` stay two addresses, as mail
 * servers other than Gmail treat them.
 */
export function canonicalEmail(email: string): string | undefined {
  if (hasHiddenCharacters(email)) return undefined;
  // Trimmed again last: NFKC can turn a spacing mark into a space and a combining one (`¨`).
  const folded = email.trim().normalize('NFKC').toLowerCase().normalize('NFKC').trim();
  const at = folded.lastIndexOf('@');
  if (at < 0) return folded;
  const domain = folded.slice(at + 1);
  const ascii = domainToASCII(domain);
  return ascii ? `${folded.slice(0, at)}@${domainToUnicode(ascii)}` : folded;
}

/**
 * For keys and lookups that must not throw: the canonical form, or, for an address with hidden
 * characters (which can have no account), the raw input, which matches nothing stored.
 */
export function emailKey(email: string): string {
  return canonicalEmail(email) ?? email;
}
