/**
 * The algorithms Gatehouse signs with. jsonwebtoken (under @nestjs/jwt and passport-jwt) has no
 * EdDSA, so Gatehouse has none either rather than keep a second JWT implementation for it.
 */
export const JWT_ALGORITHMS = ['HS256', 'ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

export const isAsymmetric = (alg: JwtAlgorithm): alg is AsymmetricAlgorithm => alg !== 'HS256';
