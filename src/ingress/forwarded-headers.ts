/**
 * The request headers a backend sees, as ingress-nginx sets them: the client's Host is
 * kept; X-Forwarded-For, X-Real-IP, X-Forwarded-Host, X-Forwarded-Port and
 * X-Forwarded-Proto say who asked and how. Incoming X-Forwarded-* are replaced, not
 * trusted (ingress-nginx's default without use-forwarded-headers), unless the caller
 * says to trust them, in which case the client's address is appended to the chain.
 * Hop-by-hop headers (RFC 9110 7.6.1, plus those the Connection header names) are
 * dropped; an upgrade keeps Connection: upgrade and Upgrade. Pure.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

export interface ForwardedContext {
  clientAddress: string;
  listenPort: number;
  scheme: 'http' | 'https';
  upgrade: boolean;
  trustForwardedHeaders: boolean;
}

/** Hop-by-hop headers of a message: the fixed list and every name its Connection header lists. */
export function hopByHopNames(headers: IncomingHttpHeaders): Set<string> {
  const names = new Set(HOP_BY_HOP);
  const connection = headers.connection;
  for (const token of (Array.isArray(connection) ? connection.join(',') : (connection ?? '')).split(',')) {
    const name = token.trim().toLowerCase();
    if (name) names.add(name);
  }
  return names;
}

export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const drop = hopByHopNames(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !drop.has(name)) out[name] = value;
  return out;
}

export function forwardedRequestHeaders(headers: IncomingHttpHeaders, context: ForwardedContext): OutgoingHttpHeaders {
  const out = withoutHopByHop(headers);
  const client = context.clientAddress.startsWith('::ffff:') ? context.clientAddress.slice(7) : context.clientAddress;
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = context.trustForwardedHeaders && prior ? `${prior}, ${client}` : client;
  out['x-real-ip'] = client;
  if (!context.trustForwardedHeaders || !headers['x-forwarded-host']) out['x-forwarded-host'] = headers.host ?? '';
  if (!context.trustForwardedHeaders || !headers['x-forwarded-port']) out['x-forwarded-port'] = String(context.listenPort);
  if (!context.trustForwardedHeaders || !headers['x-forwarded-proto']) out['x-forwarded-proto'] = context.scheme;
  if (context.upgrade && headers.upgrade) {
    out.connection = 'upgrade';
    out.upgrade = headers.upgrade;
  }
  return out;
}
