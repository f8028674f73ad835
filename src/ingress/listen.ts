/**
 * Binds the proxy's server. The default address is 127.0.0.1:80; port 80 needs
 * privileges (or may be taken), so when the port was not chosen explicitly and 80 cannot
 * be bound the server falls back to 8080 and says so in the log. An explicit port that
 * cannot be bound is an error: the caller asked for that port.
 */
import type { Server } from 'node:http';
import type { Logger } from '../log.ts';

export const DEFAULT_LISTEN_HOST = '127.0.0.1';
export const DEFAULT_LISTEN_PORT = 80;
export const FALLBACK_LISTEN_PORT = 8080;

export interface ListenOptions {
  host?: string;
  /** Absent: `defaultPort`, falling back to `fallbackPort`. 0: any free port. */
  port?: number;
  /** 80 unless a test needs a port it can make unbindable. */
  defaultPort?: number;
  fallbackPort?: number;
}

export interface BoundAddress {
  host: string;
  port: number;
}

function listenOnce(server: Server, host: string, port: number): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve({ host, port: typeof address === 'object' && address ? address.port : port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function listenWithFallback(server: Server, options: ListenOptions, log: Logger): Promise<BoundAddress> {
  const host = options.host ?? DEFAULT_LISTEN_HOST;
  if (options.port !== undefined) return listenOnce(server, host, options.port);
  const preferred = options.defaultPort ?? DEFAULT_LISTEN_PORT;
  try {
    return await listenOnce(server, host, preferred);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EADDRINUSE' && code !== 'EPERM') throw err;
    const fallback = options.fallbackPort ?? FALLBACK_LISTEN_PORT;
    log.warn({ host, port: preferred, code, fallbackPort: fallback }, `cannot bind ${host}:${preferred} (${code}); listening on ${host}:${fallback} instead`);
    return listenOnce(server, host, fallback);
  }
}
