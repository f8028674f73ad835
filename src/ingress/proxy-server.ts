/**
 * The reverse proxy: an HTTP server that looks every request up in the current routing
 * table (read per request, so a new table applies to the next request) and forwards it
 * to one ready endpoint of the chosen backend over keep-alive connections. No rule: 404;
 * a backend without a ready endpoint: 503; an endpoint that fails: 502 (504 after the
 * upstream timeout). A request without a body whose connection fails before any answer
 * (refused, or a pooled connection the backend had closed) is tried on the next
 * endpoint, up to `maxAttempts`, as nginx's proxy_next_upstream does for errors.
 * WebSocket and other upgrades are relayed byte for byte once the backend answers 101.
 */
import { Agent, createServer, request, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.ts';
import type { Endpoint } from './backend-endpoints.ts';
import type { RoundRobinBalancer } from './balancer.ts';
import { forwardedRequestHeaders, withoutHopByHop } from './forwarded-headers.ts';
import { requestHostOf } from './host-match.ts';
import { requestPathOf } from './path-match.ts';
import { routeRequest, type PathRoute, type RoutingTable } from './routing-table.ts';

export interface ProxyOptions {
  table: () => RoutingTable;
  balancer: RoundRobinBalancer;
  log: Logger;
  /** Connect plus waiting for the answer's head, and idle time within it (nginx: 60 s). */
  upstreamTimeoutMs?: number;
  maxAttempts?: number;
  trustForwardedHeaders?: boolean;
}

export interface IngressProxy {
  server: Server;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

const RETRYABLE_CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

const STATUS_TEXT: Record<number, string> = {
  404: 'Not Found',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

function errorBody(code: number): string {
  return `${code} ${STATUS_TEXT[code] ?? ''}\n`;
}

function sendError(res: ServerResponse, code: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(code);
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function rawError(socket: Duplex, code: number): void {
  const body = errorBody(code);
  socket.end(`HTTP/1.1 ${code} ${STATUS_TEXT[code]}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** The request target as origin-form (`/path?query`), whatever form the client sent. */
function originForm(url: string | undefined): string {
  const target = url ?? '/';
  if (target.startsWith('/')) return target;
  const path = requestPathOf(target);
  const query = target.indexOf('?');
  return query < 0 ? path : path + target.slice(query);
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

function rawHead(statusCode: number, statusMessage: string, rawHeaders: string[]): string {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}

export function createIngressProxy(options: ProxyOptions): IngressProxy {
  const { balancer, log } = options;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo', noDelay: true });
  const upgraded = new Set<Duplex>();
  const server = createServer();
  let listenPort = 0;
  server.on('listening', () => {
    const address = server.address();
    listenPort = typeof address === 'object' && address ? address.port : 0;
  });

  const lookup = (req: IncomingMessage): PathRoute | undefined => {
    const match = routeRequest(options.table(), requestHostOf(req.headers.host), requestPathOf(req.url));
    return match.kind === 'backend' ? match.route : undefined;
  };

  const headersFor = (req: IncomingMessage, upgrade: boolean) =>
    forwardedRequestHeaders(req.headers, {
      clientAddress: req.socket.remoteAddress ?? '',
      listenPort,
      scheme: 'http',
      upgrade,
      trustForwardedHeaders: options.trustForwardedHeaders ?? false,
    });

  const forward = (req: IncomingMessage, res: ServerResponse, route: PathRoute, endpoints: Endpoint[], attempt: number, bodiless: boolean): void => {
    const endpoint = endpoints[attempt]!;
    let answered = false;
    const proxyReq: ClientRequest = request({
      host: endpoint.address,
      port: endpoint.port,
      method: req.method,
      path: originForm(req.url),
      headers: headersFor(req, false),
      agent,
    });
    proxyReq.setTimeout(upstreamTimeoutMs, () => proxyReq.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT_UPSTREAM' })));
    proxyReq.on('response', (proxyRes) => {
      answered = true;
      res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, withoutHopByHop(proxyRes.headers));
      proxyRes.pipe(res);
      proxyRes.on('error', () => res.destroy());
    });
    proxyReq.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) {
        res.destroy();
        return;
      }
      // The client went away first (we cut the upstream request): nothing to answer or retry.
      if (res.destroyed) return;
      const stale = proxyReq.reusedSocket && err.code === 'ECONNRESET';
      const retryable = bodiless && !res.headersSent && (RETRYABLE_CONNECT_ERRORS.has(err.code ?? '') || stale);
      log.debug({ err: err.message, code: err.code, endpoint, backend: route.backend.id, attempt }, 'upstream failed');
      if (retryable && stale && attempt + 1 >= endpoints.length && attempt < maxAttempts) {
        // A pooled connection went stale: one fresh try on the same endpoint.
        return forward(req, res, route, [...endpoints, endpoint], attempt + 1, bodiless);
      }
      if (retryable && attempt + 1 < endpoints.length) return forward(req, res, route, endpoints, attempt + 1, bodiless);
      log.warn({ code: err.code, endpoint, backend: route.backend.id, ingress: route.ingress }, 'upstream failed');
      sendError(res, err.code === 'ETIMEDOUT_UPSTREAM' ? 504 : 502);
    });
    res.on('close', () => {
      if (!res.writableFinished) proxyReq.destroy();
    });
    if (bodiless) proxyReq.end();
    else req.pipe(proxyReq);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = lookup(req);
    if (!route) return sendError(res, 404);
    const bodiless = !hasBody(req);
    const endpoints = balancer.candidates(route.backend, bodiless ? maxAttempts : 1);
    if (endpoints.length === 0) {
      log.debug({ backend: route.backend.id, problem: route.backend.problem }, 'no ready endpoint');
      return sendError(res, 503);
    }
    if (bodiless) req.resume();
    forward(req, res, route, endpoints, 0, bodiless);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const route = lookup(req);
    if (!route) return rawError(socket, 404);
    const endpoint = balancer.pick(route.backend);
    if (!endpoint) return rawError(socket, 503);
    const proxyReq = request({ host: endpoint.address, port: endpoint.port, method: req.method, path: originForm(req.url), headers: headersFor(req, true), agent: false });
    proxyReq.on('upgrade', (proxyRes, proxySocket, proxyHead) => {
      socket.write(rawHead(proxyRes.statusCode ?? 101, proxyRes.statusMessage ?? 'Switching Protocols', proxyRes.rawHeaders));
      if (proxyHead.length > 0) socket.write(proxyHead);
      if (head.length > 0) proxySocket.write(head);
      upgraded.add(socket);
      upgraded.add(proxySocket);
      const closeBoth = () => {
        upgraded.delete(socket);
        upgraded.delete(proxySocket);
        socket.destroy();
        proxySocket.destroy();
      };
      proxySocket.on('error', closeBoth);
      socket.on('error', closeBoth);
      proxySocket.on('close', closeBoth);
      socket.on('close', closeBoth);
      proxySocket.pipe(socket);
      socket.pipe(proxySocket);
    });
    // The backend declined the upgrade: relay its answer and close.
    proxyReq.on('response', (proxyRes) => {
      const chunks: Buffer[] = [];
      proxyRes.on('data', (chunk: Buffer) => chunks.push(chunk));
      proxyRes.on('end', () => {
        const body = Buffer.concat(chunks);
        const type = proxyRes.headers['content-type'];
        const headers = [...(type ? ['content-type', type] : []), 'content-length', String(body.length), 'connection', 'close'];
        socket.end(Buffer.concat([Buffer.from(rawHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage ?? '', headers)), body]));
      });
    });
    proxyReq.on('error', (err: NodeJS.ErrnoException) => {
      log.warn({ code: err.code, endpoint, backend: route.backend.id }, 'upgrade upstream failed');
      if (socket.writable) rawError(socket, 502);
    });
    proxyReq.end();
  });

  return {
    server,
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
      });
      for (const socket of upgraded) socket.destroy();
      await Promise.race([closed, late]);
      clearTimeout(timer);
      await closed;
      agent.destroy();
    },
  };
}
