import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface ClosedWith {
  code: number;
  reason: string;
}

/**
 * A graphql-ws client that connects at once (not on its first subscription), and the close event
 * its connection ends with: a refused or ended connection is what some tests expect.
 */
export function connectGraphqlWs(
  url: string,
  connectionParams?: Record<string, unknown>,
): { client: Client; ended: Promise<ClosedWith> } {
  let closed: (event: ClosedWith) => void = () => undefined;
  const ended = new Promise<ClosedWith>((resolve) => (closed = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const { code, reason } = event as ClosedWith;
        closed({ code, reason });
      },
    },
  });
  return { client, ended };
}

/** The first answer of `subscription { ticks }` (the hosts' test subscription): data or errors. */
export function firstTick(client: Client): Promise<{ data?: unknown; errors?: unknown }> {
  return new Promise((resolve) => {
    const stop = client.subscribe<{ ticks: string }>(
      { query: 'subscription { ticks }' },
      {
        next: (value) => {
          stop();
          resolve(value);
        },
        error: (errors) => resolve({ errors }),
        complete: () => undefined,
      },
    );
  });
}
