/**
 * One raw request to an HTTPS face, spoken directly (no kubectl, no client library): with
 * a client certificate, a bearer token, any Authorization header, or nothing; the answer's
 * code, headers and whole body. A socket error (hang-up, reset) rejects. A long-lived
 * answer (a watch) can be cut after its headers with `cutSuccess`.
 */
import { request as httpsRequest, type Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface HttpsCredential {
  cert?: string;
  key?: string;
  /** The whole Authorization header ("Bearer ...", "Basic ...", anything). */
  authorization?: string;
}

export interface HttpsCallOptions extends HttpsCredential {
  /** The CA that signed the face's serving certificate. */
  ca: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: Agent;
  /** A success (< 400) resolves once its headers are in, its body empty, and is cut: for watches and streams. Errors are read whole. */
  cutSuccess?: boolean;
  timeoutMs?: number;
}

export interface HttpsAnswer {
  code: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  text(): string;
  json(): any;
}

export function httpsCall(baseUrl: string, method: string, path: string, options: HttpsCallOptions): Promise<HttpsAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  // node sends a body unframed (chunked) unless told its length; a real client says it.
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise<HttpsAnswer>((resolve, reject) => {
    const base = new URL(baseUrl);
    const req = httpsRequest(
      {
        // The path as given, not resolved against the base: "//x" is a path here, not a host.
        hostname: base.hostname,
        port: base.port,
        path,
        method,
        headers,
        ca: options.ca,
        ...(options.cert && options.key ? { cert: options.cert, key: options.key } : {}),
        ...(options.agent ? { agent: options.agent } : {}),
      },
      (res) => {
        const answer = (body: Buffer): HttpsAnswer => ({
          code: res.statusCode ?? 0,
          headers: res.headers,
          body,
          text: () => body.toString('utf8'),
          json: () => JSON.parse(body.toString('utf8')),
        });
        if (options.cutSuccess && (res.statusCode ?? 0) < 400) {
          res.destroy();
          resolve(answer(Buffer.alloc(0)));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(answer(Buffer.concat(chunks))));
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
