import type { RunningApp } from './processes';

/** A JSON POST to an app process, with a bearer token when given. */
export const postJson = (app: RunningApp, path: string, body: object, token?: string) =>
  fetch(app.base + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

/** The status of GET /users/me with this token: 200 while it is accepted. */
export const meStatus = async (app: RunningApp, token: string) =>
  (await fetch(`${app.base}/users/me`, { headers: { authorization: `Bearer ${token}` } })).status;
