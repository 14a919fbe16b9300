// Opaque cursors: base64url of a small JSON object. Keyset pagination on person id: a page holds the people
// with id > cursor in id order, so concurrent writes can neither repeat nor skip anyone.
import { ApiError } from './errors';

export function encodeCursor(afterPersonId: number): string {
  return Buffer.from(JSON.stringify({ v: 1, a: afterPersonId })).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  try {
    const obj = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: number; a?: unknown };
    if (obj.v === 1 && typeof obj.a === 'number' && Number.isSafeInteger(obj.a) && obj.a >= 0) return obj.a;
  } catch {
    // falls through
  }
  throw new ApiError('invalid_request', 'The cursor is invalid', { cursor: ['Use the nextCursor of the previous page'] });
}
