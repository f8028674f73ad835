/**
 * The continue token of a paged list: the revision the first page was read at and the
 * key of the last item sent, so every page is cut from the same snapshot. Opaque to
 * clients (base64 of JSON), validated on the way back in.
 */
import { badRequest } from '../api/errors.ts';

export interface ContinueToken {
  /** The revision every page of this list is read at. */
  revision: number;
  /** "namespace/name" of the last item already sent. */
  after: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 1, rv: token.revision, after: token.after })).toString('base64url');
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; after?: unknown };
    if (parsed.v === 1 && typeof parsed.rv === 'number' && Number.isSafeInteger(parsed.rv) && parsed.rv >= 0 && typeof parsed.after === 'string') {
      return { revision: parsed.rv, after: parsed.after };
    }
  } catch {
    // fall through to the one error below
  }
  throw badRequest(`invalid continue token: ${text}`);
}
