/**
 * The DNS server's sockets: UDP and TCP on one address and port, as every DNS server
 * listens. TCP carries length-prefixed messages, several per connection; answers go out
 * as they are ready (clients match them by id). Port 0 picks a free port for both: UDP
 * binds first, TCP takes the same number, and the pair is tried again when TCP finds it
 * taken.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.ts';
import type { QueryHandler } from './query-handler.ts';

export interface DnsListenOptions {
  address: string;
  port: number;
  handle: QueryHandler;
  log?: Logger;
  /** A TCP connection quiet for this long is closed (CoreDNS: 10 s). */
  tcpIdleMs?: number;
}

export interface DnsServerHandle {
  address: string;
  port: number;
  close(): Promise<void>;
}

const PORT_ATTEMPTS = 10;

export async function listenDns(options: DnsListenOptions): Promise<DnsServerHandle> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(options);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(options, port);
      return {
        address: options.address,
        port,
        close: () => closeBoth(udp, tcp),
      };
    } catch (error) {
      udp.close();
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (options.port !== 0 || !inUse || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

function bindUdp({ address, port, handle, log }: DnsListenOptions): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.on('message', (message, remote) => {
      handle(message, 'udp').then(
        (reply) => {
          if (reply) socket.send(reply, remote.port, remote.address);
        },
        (error) => log?.warn({ err: error }, 'dns query failed'),
      );
    });
    socket.bind(port, address, () => {
      socket.off('error', reject);
      socket.on('error', (error) => log?.warn({ err: error }, 'dns udp socket error'));
      resolve(socket);
    });
  });
}

interface TcpListener {
  server: Server;
  connections: Set<Socket>;
}

function listenTcp({ address, handle, log, tcpIdleMs = 10_000 }: DnsListenOptions, port: number): Promise<TcpListener> {
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.setTimeout(tcpIdleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        handle(Buffer.from(message), 'tcp').then(
          (reply) => {
            if (!reply || socket.destroyed) return;
            const length = Buffer.alloc(2);
            length.writeUInt16BE(reply.length);
            socket.write(Buffer.concat([length, reply]));
          },
          (error) => log?.warn({ err: error }, 'dns query failed'),
        );
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve({ server, connections });
    });
  });
}

async function closeBoth(udp: UdpSocket, tcp: TcpListener): Promise<void> {
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  for (const socket of tcp.connections) socket.destroy();
  await new Promise<void>((resolve) => tcp.server.close(() => resolve()));
}
