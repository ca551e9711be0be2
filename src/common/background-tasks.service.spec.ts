import { Logger } from '@nestjs/common';
import { BackgroundTasks } from './background-tasks.service';

/** A promise the test settles when it chooses: work that takes as long as the test says. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Until every callback queued so far (setImmediate, and the microtasks before it) has run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BackgroundTasks', () => {
  let tasks: BackgroundTasks;
  let errors: jest.SpyInstance;
  let warnings: jest.SpyInstance;

  beforeEach(() => {
    tasks = new BackgroundTasks();
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it("returns before the task starts: the caller's code after run() has already run", async () => {
    const order: string[] = [];
    tasks.run('probe', async () => {
      order.push('task');
      await Promise.resolve();
    });
    order.push('caller, after run()');
    // Microtasks are not late enough: the request's answer is sent from them.
    await Promise.resolve();
    await Promise.resolve();
    order.push('caller, after microtasks');
    await tasks.idle();
    expect(order).toEqual(['caller, after run()', 'caller, after microtasks', 'task']);
  });

  it('runs a task that throws synchronously without throwing from run()', async () => {
    expect(() =>
      tasks.run('sync throw', () => {
        throw new TypeError('boom');
      }),
    ).not.toThrow();
    await tasks.idle();
    expect(errors).toHaveBeenCalledWith('sync throw failed: TypeError');
  });

  it('logs a failure by error name and code only, never its message', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      tasks.run('reset mail', () => {
        const error = Object.assign(new Error('RCPT TO:<ada@example.com> rejected'), {
          name: 'MailTransportError',
          code: 'EENVELOPE',
        });
        return Promise.reject(error);
      });
      await expect(tasks.idle()).resolves.toBeUndefined();
      // An unhandled rejection is reported once the microtasks have run: a turn later.
      await turn();
    } finally {
      process.off('unhandledRejection', unhandled);
    }

    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]).toEqual(['reset mail failed: MailTransportError (EENVELOPE)']);
    expect(JSON.stringify(errors.mock.calls)).not.toContain('ada@example.com');
    expect(unhandled).not.toHaveBeenCalled();
  });

  it("leaves out a code that is not a string (a driver's errno, say)", async () => {
    tasks.run('lookup', () =>
      Promise.reject(Object.assign(new Error('secret sql'), { code: 1062 })),
    );
    await tasks.idle();
    expect(errors).toHaveBeenCalledWith('lookup failed: Error');
  });

  it('logs a thrown string without its text', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what careless code does
    tasks.run('careless', () => Promise.reject('no account for ada@example.com'));
    await tasks.idle();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(errors.mock.calls)).not.toContain('ada@example.com');
  });

  it('keeps running other tasks after one fails', async () => {
    const ran = jest.fn();
    tasks.run('fails', () => Promise.reject(new Error('x')));
    tasks.run('works', () => Promise.resolve(ran()));
    await tasks.idle();
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it('idle() waits for every task, including those started by tasks', async () => {
    const [parent, child, grandchild, sibling] = [gate(), gate(), gate(), gate()];
    const done: string[] = [];
    tasks.run('parent', async () => {
      await parent.opened;
      tasks.run('child', async () => {
        await child.opened;
        tasks.run('grandchild', async () => {
          await grandchild.opened;
          done.push('grandchild');
        });
        done.push('child');
      });
      done.push('parent');
    });
    tasks.run('sibling', async () => {
      await sibling.opened;
      done.push('sibling');
    });
    let idle = false;
    const waiting = tasks.idle().then(() => (idle = true));
    for (const [task, finished] of [
      [sibling, ['sibling']],
      [parent, ['sibling', 'parent']],
      [child, ['sibling', 'parent', 'child']],
    ] as const) {
      task.open();
      await turn();
      expect(done).toEqual(finished);
      expect(idle).toBe(false);
    }
    grandchild.open();
    await waiting;
    expect(done).toEqual(['sibling', 'parent', 'child', 'grandchild']);
  });

  it('idle() resolves at once with nothing running', async () => {
    await expect(tasks.idle()).resolves.toBeUndefined();
  });

  it('drain() returns once the tasks are done, without a warning', async () => {
    const quick = gate();
    const done = jest.fn();
    tasks.run('quick', async () => {
      await quick.opened;
      done();
    });
    const drained = tasks.drain(5_000);
    await turn();
    quick.open();
    await drained;
    expect(done).toHaveBeenCalled();
    expect(warnings).not.toHaveBeenCalled();
  });

  it('drain(timeoutMs) gives up on a task that never ends, after the timeout, and warns', async () => {
    // Fake timers for the timeout; setImmediate stays real, run() starts tasks with it.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      tasks.run('stuck', () => new Promise<void>(() => undefined));
      tasks.run('quick', () => Promise.resolve());
      let drained = false;
      const draining = tasks.drain(100).then(() => (drained = true));
      await jest.advanceTimersByTimeAsync(99);
      await turn();
      expect(drained).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await draining;
      expect(warnings).toHaveBeenCalledTimes(1);
      expect(warnings).toHaveBeenCalledWith('1 background task(s) still running at shutdown');
    } finally {
      jest.useRealTimers();
    }
  });

  it('drains on application shutdown', async () => {
    const quick = gate();
    const done = jest.fn();
    tasks.run('quick', async () => {
      await quick.opened;
      done();
    });
    const shutdown = tasks.onApplicationShutdown();
    await turn();
    quick.open();
    await shutdown;
    expect(done).toHaveBeenCalled();
  });
});
