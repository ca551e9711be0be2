/** The wall clock that {@link withWallClock} hands its callback. */
export interface WallClock {
  /** Jumps `Date` forward; it keeps running at real speed from there. */
  advance(ms: number): void;
}

/**
 * Runs `run` with the wall clock (`Date`) of this test process under its control, the app's
 * included when it runs in-process (createTestApp): lockouts, token `iat`/`exp` and stored
 * timestamps read it. Nothing else is faked: timers, the event loop and `performance.now()` stay
 * real, so drivers, sockets and timeouts behave as they always do.
 */
export async function withWallClock<T>(run: (clock: WallClock) => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    return await run({ advance: (ms) => jest.setSystemTime(Date.now() + ms) });
  } finally {
    jest.useRealTimers();
  }
}
