// A separate service verifying Gatehouse tokens the way the issue asks teams to: jose's
// createRemoteJWKSet + jwtVerify, issuer and audience checked. Run as its own process, given
// only the JWKS URL (no key, no secret, no Gatehouse code). Reads
// {"jwks", "issuer", "audience", "tokens": [...]} on stdin and prints one result per token.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const input = JSON.parse(await new Promise((ok) => {
  let data = '';
  process.stdin.on('data', (d) => (data += d));
  process.stdin.on('end', () => ok(data));
}));
const jwks = createRemoteJWKSet(new URL(input.jwks));
const results = [];
for (const token of input.tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: input.issuer, audience: input.audience });
    results.push({ ok: true, alg: protectedHeader.alg, kid: protectedHeader.kid, sub: payload.sub });
  } catch (error) {
    results.push({ ok: false, error: error.code ?? String(error) });
  }
}
process.stdout.write(JSON.stringify(results));
