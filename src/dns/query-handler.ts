/**
 * One DNS query, bytes in and bytes out: decode, ask the pure answer function against
 * the cluster view, then encode the answer, or forward what is outside the cluster
 * zone. Without upstream resolvers a forwarded question is REFUSED (the server is
 * authoritative for the cluster only, and says so rather than pretending the name does
 * not exist); an upstream that does not answer gives SERVFAIL. Malformed queries get
 * FORMERR, other opcodes NOTIMP, and stray responses nothing.
 */
import type { Answer } from 'dns-packet';
import type { Logger } from '../log.ts';
import { resolveQuestion, type ZoneSettings } from './answer.ts';
import type { ClusterView } from './cluster-view.ts';
import type { Forward } from './forwarder.ts';
import { decodeMessage, encodeQuery, encodeResponse, formatErrorFor, opcodeOf, type Transport } from './message.ts';

export type QueryHandler = (query: Buffer, transport: Transport) => Promise<Buffer | undefined>;

export interface QueryHandlerDeps {
  view: ClusterView;
  settings: ZoneSettings;
  /** Undefined when there is no upstream resolver. */
  forward?: Forward;
  log?: Logger;
}

export function createQueryHandler({ view, settings, forward, log }: QueryHandlerDeps): QueryHandler {
  return async (raw, transport) => {
    const query = decodeMessage(raw);
    if (!query) return formatErrorFor(raw);
    if (query.type === 'response') return undefined;
    if (opcodeOf(query) !== 0) return encodeResponse(query, { rcode: 'NOTIMP' }, transport);
    const question = query.questions?.[0];
    if (!question || (query.questions ?? []).length !== 1) return encodeResponse(query, { rcode: 'FORMERR' }, transport);

    const resolution = resolveQuestion(question, view, settings);
    if (resolution.kind === 'forward') {
      if (!forward) {
        log?.debug({ name: question.name, type: question.type }, 'no upstream resolver; refused');
        return encodeResponse(query, { rcode: 'REFUSED' }, transport);
      }
      const answer = await forward(raw, transport);
      if (!answer) log?.debug({ name: question.name, type: question.type }, 'no upstream answered');
      return answer ?? encodeResponse(query, { rcode: 'SERVFAIL' }, transport);
    }
    let answers = resolution.answers;
    if (resolution.chase && forward) answers = [...answers, ...(await chase(resolution.chase, forward, transport))];
    log?.debug({ name: question.name, type: question.type, rcode: resolution.rcode, answers: answers.length }, 'answered');
    return encodeResponse(
      query,
      { rcode: resolution.rcode, answers, authorities: resolution.authorities, additionals: resolution.additionals, authoritative: true },
      transport,
    );
  };
}

/** The addresses of an ExternalName's outside target, asked upstream (CoreDNS's upstream lookup). */
async function chase(target: { name: string; type: 'A' | 'AAAA' }, forward: Forward, transport: Transport): Promise<Answer[]> {
  const id = Math.floor(Math.random() * 0x10000);
  const reply = await forward(encodeQuery(id, target.name, target.type), transport);
  const decoded = reply ? decodeMessage(reply) : undefined;
  return (decoded?.answers ?? []).filter((r) => r.type === target.type || r.type === 'CNAME');
}
