import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { ROLE_ADMIN, ROLE_USER, UsersService } from '../../src';
import { decodeJwt, signJwt } from './jwt-forge';
import { REALTIME_SECRET } from './realtime-host';

export interface SignedIn {
  id: string;
  email: string;
  access: string;
  refresh: string;
}

export const REALTIME_PASSWORD = 'correct horse battery staple';

/** Registers and signs in an account over HTTP (an admin if asked). */
export async function signIn(app: INestApplication, admin = false): Promise<SignedIn> {
  const http = () => request(app.getHttpServer() as App);
  const credentials = {
    email: `rt-${randomBytes(5).toString('hex')}@host.example`,
    password: REALTIME_PASSWORD,
  };
  const { body } = await http().post('/auth/register').send(credentials).expect(201);
  const id = (body as { id: string }).id;
  if (admin) await app.get(UsersService).setRoles(id, [ROLE_USER, ROLE_ADMIN]);
  const login = await http().post('/auth/login').send(credentials).expect(200);
  const pair = login.body as { access_token: string; refresh_token: string };
  return { id, email: credentials.email, access: pair.access_token, refresh: pair.refresh_token };
}

/** Ends the session of an access token, as `POST /auth/logout` does. */
export async function logout(app: INestApplication, access: string): Promise<void> {
  await request(app.getHttpServer() as App)
    .post('/auth/logout')
    .set('Authorization', `Bearer ${access}`)
    .expect(204);
}

/** The same claims signed with another key. */
export const forged = (access: string) =>
  signJwt(decodeJwt(access), 'not-the-key-0123456789abcdef0123456789abcdef');

/** The same claims, properly signed, but expired a minute ago. */
export function expired(access: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = JSON.parse(Buffer.from(access.split('.')[0], 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return signJwt({ ...decodeJwt(access), iat: now - 600, exp: now - 60 }, REALTIME_SECRET, header);
}

/**
 * Retries an assertion until it holds: a revocation on another instance arrives through Redis a
 * few milliseconds after the logout has answered. Gives up after `timeoutMs`, with its error.
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Signs in again, on another device: a second session of the same account. */
export async function secondSession(app: INestApplication, account: SignedIn): Promise<string> {
  const login = await request(app.getHttpServer() as App)
    .post('/auth/login')
    .send({ email: account.email, password: REALTIME_PASSWORD })
    .expect(200);
  return (login.body as { access_token: string }).access_token;
}
