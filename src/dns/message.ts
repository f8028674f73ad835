/**
 * DNS messages in and out, through dns-packet (the wire format is not ours to write):
 * decoding a query without throwing, and encoding a response that echoes the query's id,
 * opcode, RD bit and question, sets AA for our own zone, answers EDNS0 with EDNS0, and
 * over UDP truncates (TC, no records) past the client's buffer size, 512 bytes without
 * EDNS0, so that the client asks again over TCP.
 */
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';

export type Transport = 'udp' | 'tcp';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof RCODE;

const OPCODE_MASK = 0x7800;
const RD = dnsPacket.RECURSION_DESIRED;
/** The EDNS0 buffer size we advertise (the DNS flag day 2020 value, as CoreDNS). */
export const EDNS_UDP_SIZE = 1232;
const CLASSIC_UDP_SIZE = 512;
const HEADER_BYTES = 12;

export function decodeMessage(buffer: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(buffer);
  } catch {
    return undefined;
  }
}

export function opcodeOf(query: DecodedPacket): number {
  return ((query.flags ?? 0) & OPCODE_MASK) >> 11;
}

function optOf(packet: Packet): Extract<Answer, { type: 'OPT' }> | undefined {
  return (packet.additionals ?? []).find((r): r is Extract<Answer, { type: 'OPT' }> => r.type === 'OPT');
}

/** How large a UDP answer to this query may be. */
export function udpLimit(query: Packet): number {
  const opt = optOf(query);
  if (!opt) return CLASSIC_UDP_SIZE;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(opt.udpPayloadSize || CLASSIC_UDP_SIZE, 65_535));
}

export interface ResponseParts {
  rcode: RcodeName;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
  authoritative?: boolean;
}

export function encodeResponse(query: DecodedPacket, parts: ResponseParts, transport: Transport): Buffer {
  const opt = optOf(query)
    ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as Answer]
    : [];
  const flags =
    ((query.flags ?? 0) & (OPCODE_MASK | RD)) | (parts.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | RCODE[parts.rcode];
  const packet: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: [...(parts.additionals ?? []), ...opt],
  };
  const encoded = dnsPacket.encode(packet);
  if (transport === 'tcp' || encoded.length <= udpLimit(query)) return encoded;
  return dnsPacket.encode({ ...packet, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: opt });
}

/** An answer for bytes that did not decode: the id copied, FORMERR, nothing else. */
export function formatErrorFor(raw: Buffer): Buffer | undefined {
  if (raw.length < HEADER_BYTES) return undefined;
  const reply = Buffer.alloc(HEADER_BYTES);
  raw.copy(reply, 0, 0, 2);
  reply.writeUInt16BE(0x8000 | (raw.readUInt16BE(2) & (OPCODE_MASK | RD)) | RCODE.FORMERR, 2);
  return reply;
}

/** The same query with another id (the forwarder's own, one per upstream question). */
export function encodeQuery(id: number, name: string, type: string, recursionDesired = true): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: recursionDesired ? RD : 0, questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }] });
}

export function rcodeOf(buffer: Buffer): number {
  return buffer.length >= 4 ? buffer.readUInt16BE(2) & 0xf : RCODE.SERVFAIL;
}
