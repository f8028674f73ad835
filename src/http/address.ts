/**
 * HOST:PORT as flags spell it ("127.0.0.1:6443", "[::1]:6443", ":6443", "localhost:0")
 * and the URL a client should dial for a bound socket (a wildcard bind is dialled on
 * loopback). Pure.
 */
export interface HostPort {
  host: string;
  port: number;
}

export const DEFAULT_API_ADDRESS = '127.0.0.1:6443';

export function parseHostPort(text: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`not a HOST:PORT address: "${text}"`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL a client on this machine uses to reach a socket bound at `bound`. */
export function dialUrl(scheme: 'http' | 'https', bound: HostPort): string {
  const host = bound.host === '0.0.0.0' ? '127.0.0.1' : bound.host === '::' ? '::1' : bound.host;
  return `${scheme}://${formatHostPort({ host, port: bound.port })}`;
}
