import { createHash, timingSafeEqual } from 'node:crypto';

/** The environment variable holding the bearer token `duckfeat serve` requires (unset: none). */
export const SERVE_TOKEN_ENV = 'DUCKFEAT_SERVE_TOKEN';

/**
 * A check of `Authorization: Bearer <token>` headers against one secret. Both sides are
 * hashed to 32 bytes and compared with `timingSafeEqual`, so the comparison takes the same
 * time whatever the header holds (its length included). The token is kept only as its digest.
 *
 * @example
 * const allowed = bearerCheck(process.env.DUCKFEAT_SERVE_TOKEN);
 * if (!allowed(request.headers.authorization)) reply.code(401);
 */
export function bearerCheck(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    return timingSafeEqual(digest(presented), expected) && presented.length > 0;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
