/**
 * Writing answers: JSON with its code and Content-Type, warnings as `Warning: 299`
 * headers (kubectl prints them), Retry-After for a Status that carries retryAfterSeconds, and every failure as a Kubernetes Status whose HTTP code
 * is the Status's code. Nothing else ever reaches a client as an error.
 */
import type { ServerResponse } from 'node:http';
import { toStatusError } from '../api/errors.ts';

export const JSON_TYPE = 'application/json';

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = JSON_TYPE, warnings: string[] = []): void {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(payload)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) headers.Warning = warnings.map(warningHeader);
  // A Status that says when to retry (429 from flow control) says it as kube-apiserver does: client-go waits that long.
  const retryAfter = (body as { kind?: string; details?: { retryAfterSeconds?: number } } | undefined)?.details?.retryAfterSeconds;
  if (retryAfter !== undefined && (body as { kind?: string }).kind === 'Status') headers['Retry-After'] = String(retryAfter);
  res.writeHead(code, headers);
  res.end(payload);
}

export function sendError(res: ServerResponse, error: unknown, extraHeaders: Record<string, string> = {}): void {
  const status = toStatusError(error).toStatus();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  sendJson(res, status.code, status);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** RFC 7234 warning: `299 - "text"` with quotes and backslashes escaped. */
export function warningHeader(text: string): string {
  return `299 - "${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
