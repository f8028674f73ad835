/**
 * A component's own metrics endpoint, as each Kubernetes component serves one: GET
 * /metrics (the registry in the Prometheus text format) and GET /healthz ("ok"), plain
 * HTTP on loopback (Kubernetes serves these over HTTPS with delegated auth; jetkube keeps
 * them on 127.0.0.1 so only the host can read them). With fallbackToFreePort, a port in
 * use (a second kubelet in the same process) is replaced by a free one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Kubernetes' ports for each component's /metrics. */
export const METRICS_PORTS = { scheduler: 10259, controllerManager: 10257, kubelet: 10250, kubeProxy: 10249 } as const;

export interface MetricsAddress {
  host?: string;
  port: number;
  /** When the port is taken, listen on a free one instead of failing. */
  fallbackToFreePort?: boolean;
}

export interface MetricsServer {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, address: MetricsAddress): Promise<MetricsServer> {
  const host = address.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  });
  let port: number;
  try {
    port = await listen(server, host, address.port);
  } catch (err) {
    if (!address.fallbackToFreePort || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    port = await listen(server, host, 0);
  }
  return {
    host,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
