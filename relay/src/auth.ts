// Publish tokens: made here, stored only as SHA-256, compared in constant time. Never logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters, unguessable, safe in headers and JSON. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Does `presented` hash to `storedHash`? Both sides are fixed-length digests, so `timingSafeEqual` compares them
 * without leaking where they differ, and the presented token's length does not matter.
 */
export function tokenMatches(presented: string | null, storedHash: string | null): boolean {
  if (presented === null || storedHash === null || !/^[0-9a-f]{64}$/.test(storedHash)) return false;
  return timingSafeEqual(Buffer.from(hashToken(presented), 'hex'), Buffer.from(storedHash, 'hex'));
}

/** The token in an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1] ?? null;
}

/** A fresh lot id for `POST /lots` without a name: short, random, within the protocol's charset. */
export function generateLotId(): string {
  return `lot-${randomBytes(6).toString('hex')}`;
}
