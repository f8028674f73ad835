/**
 * Forwarding what is not the cluster's (CoreDNS's `forward . /etc/resolv.conf`): the
 * client's query bytes go to the upstream resolvers in turn, over the transport the
 * client used, and the first answer is relayed unchanged (same id, since the bytes are
 * the client's). Each question gets its own socket, so answers cannot cross. An upstream
 * that does not answer within the timeout is skipped; when none answers the caller
 * replies SERVFAIL.
 */
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import type { Transport } from './message.ts';

export interface Upstream {
  host: string;
  port: number;
}

export const DEFAULT_FORWARD_TIMEOUT_MS = 2_000;

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353` as an upstream. */
export function parseUpstream(spec: string): Upstream | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed) return isIP(bracketed[1]!) ? { host: bracketed[1]!, port: Number(bracketed[2] ?? 53) } : undefined;
  if (isIP(spec)) return { host: spec, port: 53 };
  const hostPort = /^([^:]+):(\d+)$/.exec(spec);
  if (hostPort && isIP(hostPort[1]!) === 4) return { host: hostPort[1]!, port: Number(hostPort[2]) };
  return undefined;
}

export type Forward = (query: Buffer, transport: Transport) => Promise<Buffer | undefined>;

export function forwarderTo(upstreams: Upstream[], timeoutMs = DEFAULT_FORWARD_TIMEOUT_MS): Forward {
  return async (query, transport) => {
    for (const upstream of upstreams) {
      const answer = await (transport === 'udp' ? askUdp : askTcp)(query, upstream, timeoutMs).catch(() => undefined);
      if (answer) return answer;
    }
    return undefined;
  };
}

function askUdp(query: Buffer, upstream: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(upstream.host) === 6 ? 'udp6' : 'udp4');
    const done = (answer: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (message) => {
      if (message.length >= 2 && message.readUInt16BE(0) === query.readUInt16BE(0)) done(message);
    });
    socket.send(query, upstream.port, upstream.host);
  });
}

function askTcp(query: Buffer, upstream: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: upstream.host, port: upstream.port });
    let received = Buffer.alloc(0);
    const done = (answer: Buffer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) done(received.subarray(2, 2 + received.readUInt16BE(0)));
    });
    socket.on('end', () => done(undefined));
  });
}
