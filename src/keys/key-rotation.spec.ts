import { prune, rotate } from './key-rotation';
import { generateSigningKey } from './signing-key';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');

describe('prune', () => {
  const retired = generateSigningKey('ES256', t0, t0);
  const signing = generateSigningKey('ES256', t0 + 48 * HOUR, t0);
  const pending = generateSigningKey('ES256', t0 + 200 * HOUR, t0);

  it('drops a key whose successor has signed for the whole retention, and adds none', () => {
    const result = prune([retired, signing, pending], {
      retentionMs: 24 * HOUR,
      now: t0 + 72 * HOUR,
    });
    expect(result.pruned.map((k) => k.kid)).toEqual([retired.kid]);
    expect(result.keys.map((k) => k.kid)).toEqual([signing.kid, pending.kid]);
  });

  it('keeps a retired key while a token it signed may still be alive', () => {
    const result = prune([retired, signing], { retentionMs: 24 * HOUR, now: t0 + 72 * HOUR - 1 });
    expect(result.pruned).toEqual([]);
    expect(result.keys).toEqual([retired, signing]);
  });

  it('never drops the key that signs, however old, nor one not active yet', () => {
    const result = prune([signing, pending], { retentionMs: HOUR, now: t0 + 199 * HOUR });
    expect(result.pruned).toEqual([]);
  });
});

describe('rotate', () => {
  it('adds a key and, unless asked to prune, keeps every old one', () => {
    const old = generateSigningKey('ES256', t0, t0);
    const current = generateSigningKey('ES256', t0 + 48 * HOUR, t0);
    const result = rotate([old, current], {
      alg: 'ES256',
      activateInMs: HOUR,
      retentionMs: 24 * HOUR,
      prune: false,
      now: t0 + 100 * HOUR,
    });
    expect(result.pruned).toEqual([]);
    expect(result.keys.map((k) => k.kid)).toEqual([old.kid, current.kid, result.added.kid]);
    expect(result.added.activatesAt).toBe(t0 + 101 * HOUR);
  });
});
