/**
 * One subject token, reversibly. NATS splits subjects on `.` and gives `*`, `>` and
 * whitespace meaning, while Kubernetes names and API groups contain dots, so every piece
 * of a subject goes through here, and only here.
 *
 * Contract: `[A-Za-z0-9-]` pass unchanged (tokens stay readable in `nats` tooling), `.`
 * becomes `_`, every other byte of the text's UTF-8 (WTF-8 for lone surrogates, so any
 * JavaScript string round-trips) becomes `~xx` in lower-case hex. The encoding is
 * canonical: decodeToken accepts exactly the strings encodeToken produces, so a token
 * maps to one text and back. The empty string is no token.
 */

const PLAIN = /^[A-Za-z0-9.-]+$/;
const HEX = '0123456789abcdef';

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

function isPlainByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d;
}

export function encodeToken(text: string): string {
  if (text.length === 0) throw new TokenError('the empty string cannot be a subject token');
  if (PLAIN.test(text)) return text.replaceAll('.', '_');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp < 0x80) {
      if (cp === 0x2e) out += '_';
      else if (isPlainByte(cp)) out += text[i];
      else out += escape(cp);
      continue;
    }
    // A well-formed surrogate pair is one code point; a lone surrogate is kept as itself (WTF-8).
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (cp < 0x800) out += escape(0xc0 | (cp >> 6)) + escape(0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
      out += escape(0xe0 | (cp >> 12)) + escape(0x80 | ((cp >> 6) & 0x3f)) + escape(0x80 | (cp & 0x3f));
    else
      out +=
        escape(0xf0 | (cp >> 18)) +
        escape(0x80 | ((cp >> 12) & 0x3f)) +
        escape(0x80 | ((cp >> 6) & 0x3f)) +
        escape(0x80 | (cp & 0x3f));
  }
  return out;
}

function escape(byte: number): string {
  return '~' + HEX[byte >> 4] + HEX[byte & 15];
}

export function decodeToken(token: string): string {
  if (token.length === 0) throw new TokenError('the empty string is not a subject token');
  if (!token.includes('~')) {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new TokenError(`not an encoded token: ${JSON.stringify(token)}`);
    return token.replaceAll('_', '.');
  }
  let out = '';
  let i = 0;
  const byteAt = (at: number): number => {
    if (token[at] !== '~') throw new TokenError(`truncated escape in token ${JSON.stringify(token)}`);
    const hi = HEX.indexOf(token[at + 1] ?? 'x');
    const lo = HEX.indexOf(token[at + 2] ?? 'x');
    if (hi < 0 || lo < 0) throw new TokenError(`bad escape in token ${JSON.stringify(token)}`);
    return (hi << 4) | lo;
  };
  while (i < token.length) {
    const c = token.charCodeAt(i);
    if (c !== 0x7e /* ~ */) {
      if (c === 0x5f /* _ */) out += '.';
      else if (isPlainByte(c)) out += token[i];
      else throw new TokenError(`character ${JSON.stringify(token[i])} cannot appear in an encoded token`);
      i++;
      continue;
    }
    const b0 = byteAt(i);
    i += 3;
    if (b0 < 0x80) {
      if (isPlainByte(b0) || b0 === 0x2e) throw new TokenError(`non-canonical escape in token ${JSON.stringify(token)}`);
      out += String.fromCharCode(b0);
      continue;
    }
    const extra = b0 >= 0xf0 && b0 <= 0xf4 ? 3 : b0 >= 0xe0 && b0 < 0xf0 ? 2 : b0 >= 0xc2 && b0 < 0xe0 ? 1 : -1;
    if (extra < 0) throw new TokenError(`invalid UTF-8 lead byte in token ${JSON.stringify(token)}`);
    let cp = b0 & (extra === 1 ? 0x1f : extra === 2 ? 0x0f : 0x07);
    for (let k = 0; k < extra; k++) {
      const b = byteAt(i);
      if ((b & 0xc0) !== 0x80) throw new TokenError(`invalid UTF-8 continuation in token ${JSON.stringify(token)}`);
      cp = (cp << 6) | (b & 0x3f);
      i += 3;
    }
    const min = extra === 1 ? 0x80 : extra === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff) throw new TokenError(`overlong or out-of-range UTF-8 in token ${JSON.stringify(token)}`);
    out += String.fromCodePoint(cp);
  }
  // A surrogate pair must have been encoded as one 4-byte code point, never as two 3-byte halves.
  if (encodeToken(out) !== token) throw new TokenError(`non-canonical token ${JSON.stringify(token)}`);
  return out;
}
