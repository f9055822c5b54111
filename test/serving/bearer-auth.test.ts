import { describe, expect, it } from 'vitest';
import { bearerCheck } from '../../src/serving/bearer-auth.js';

describe('bearerCheck', () => {
  const allowed = bearerCheck('s3cret-token');

  it('accepts exactly "Bearer <token>"', () => {
    expect(allowed('Bearer s3cret-token')).toBe(true);
  });

  it('refuses anything else: no header, other scheme, other token, prefixes and extensions', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic s3cret-token',
      'bearer s3cret-token',
      's3cret-token',
      'Bearer s3cret',
      'Bearer s3cret-token2',
      'Bearer S3CRET-TOKEN',
    ]) {
      expect(allowed(header), String(header)).toBe(false);
    }
  });
});
