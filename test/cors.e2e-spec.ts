import { TestApp, createTestApp } from './support/test-app';

describe('CORS from configuration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      CORS_ORIGINS: 'https://app.example, https://admin.example',
    });
  });
  afterAll(async () => {
    await t?.close();
    delete process.env.CORS_ORIGINS;
  });

  const preflight = (origin: string) =>
    t
      .http()
      .options('/auth/login')
      .set('origin', origin)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type');

  it('allows the configured origins', async () => {
    const res = await preflight('https://admin.example');
    expect(res.status).toBeLessThan(300);
    expect(res.headers['access-control-allow-origin']).toBe('https://admin.example');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives any other origin nothing', async () => {
    const res = await preflight('https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
