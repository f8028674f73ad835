/**
 * One address in front of several API servers' HTTPS faces, as a TCP load balancer in
 * front of kube-apiservers: each new connection goes to the next backend in turn, one
 * that refuses the connection is skipped, and TLS passes through untouched (client
 * certificates reach the API server that serves the request). Each API server stays
 * reachable at its own address too.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { componentLogger } from '../log.ts';
import { parseHostPort } from './address.ts';

const log = componentLogger('api-front');

export interface TcpFront {
  /** HOST:PORT it listens on. */
  readonly address: string;
  close(): Promise<void>;
}

/** backends: HOST:PORT of each API server's HTTPS face, asked anew for every connection. */
export async function startTcpFront(address: string, backends: () => readonly string[]): Promise<TcpFront> {
  const { host, port } = parseHostPort(address);
  let next = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.pause();
    const candidates = backends();
    const start = next++;
    const tryBackend = (attempt: number) => {
      if (attempt >= candidates.length) {
        log.warn({ backends: candidates }, 'no API server accepted the connection');
        client.destroy();
        return;
      }
      const target = parseHostPort(candidates[(start + attempt) % candidates.length]!);
      const upstream = connect(target.port, target.host);
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        open.add(upstream);
        upstream.once('close', () => open.delete(upstream));
        client.pipe(upstream).pipe(client);
        client.resume();
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.once('error', end);
        upstream.once('error', end);
        client.once('close', end);
        upstream.once('close', end);
      });
      upstream.once('error', () => {
        if (!connected) tryBackend(attempt + 1);
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const actual = typeof bound === 'object' && bound ? `${host}:${bound.port}` : address;
  return {
    address: actual,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
