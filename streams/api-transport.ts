/**
 * The API's NATS face on the wire. Requests go to `api.<caller>.<verb>.<resource>` (a
 * queue group, so several API servers share the load), msgpack in and out. `<caller>` is
 * the connection's NATS user (`_` without one): a secured nats-server lets each user
 * publish only under its own name (src/natsd/users.ts), so the API server takes the
 * caller's Kubernetes identity from the subject (src/auth/nats-identity.ts), never from
 * the body, and RBAC judges the request as it judges one over HTTPS. A watch is opened by a
 * request that names an inbox; the server then publishes numbered events there and the
 * client keeps the watch alive on `apiwatch.<id>.alive`. Core NATS may drop messages to a
 * slow subscriber, so events carry a counter and the client turns a gap into a 410, which
 * makes it re-list: the same recovery Kubernetes clients already have.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';
import {
  badRequest,
  entityTooLarge,
  fromStatus,
  internalError,
  isStatus,
  timeout,
  toStatusError,
  unavailable,
  type Status,
  type StatusError,
} from '../src/api/errors.ts';
import type { ApiReply, ApiRequest, Verb, WatchEvent, WatchSession } from '../src/apiserver/request.ts';
import { VERBS } from '../src/apiserver/request.ts';
import type { Logger } from '../src/log.ts';
import { identityOfNatsCaller, OPEN_CALLER } from '../src/auth/nats-identity.ts';
import { inboxFor } from './connection.ts';
import { decodeToken, encodeToken } from './token.ts';
import { encodeWireWatchEvent } from './watch-event-wire.ts';
import { MAX_QUEUED, PacedDelivery } from './paced-delivery.ts';
import { noteConnection } from '../src/apiserver/flow-control/flow-controlled-pipeline.ts';

// One encoder and decoder per process: the library's encode()/decode() build new ones (and
// a 2 KiB buffer) per call, a visible share of the API server's CPU under load.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();
const encode = (value: unknown) => encoder.encode(value);
const decode = (data: Uint8Array) => decoder.decode(data);

export const API_QUEUE_GROUP = 'apiserver';
export const API_SUBJECTS = 'api.>';

export { OPEN_CALLER };

/** The subject of a request by `caller` (a NATS user name, or `_` for a connection without one). */
export function apiSubject(verb: Verb, resource: string, caller: string = OPEN_CALLER): string {
  return `api.${caller}.${verb}.${encodeToken(resource)}`;
}

/** The NATS user a connection authenticated as: connectNats gives a named user's connection the inbox prefix `_INBOX.<user>`. */
export function callerOf(nc: NatsConnection): string {
  const prefix = (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
  return prefix?.startsWith('_INBOX.') ? prefix.slice('_INBOX.'.length) || OPEN_CALLER : OPEN_CALLER;
}

function watchControlSubject(watchId: string, signal: 'alive' | 'stop' | '*'): string {
  return `apiwatch.${watchId}.${signal}`;
}

/** How often a client says its watch is still wanted, and how long the server waits for it. */
export const WATCH_ALIVE_INTERVAL_MS = 10_000;
export const WATCH_ALIVE_TIMEOUT_MS = 35_000;

/** The body of a request on the wire: everything but verb and resource, which the subject carries. */
type WireRequest = Omit<ApiRequest, 'verb' | 'resource' | 'user'> & { inbox?: string };
type WireWatchEvent = WatchEvent & { n: number };
type WireWatchOpened = { ok: true; watchId: string } | { ok: false; status: Status };

export interface ApiHandlers {
  handle(request: ApiRequest): Promise<ApiReply>;
  /** Opens a watch; throws a StatusError when it cannot start (e.g. 410 for a compacted revision). */
  watch(request: ApiRequest, send: (event: WatchEvent) => void, ended: () => void): Promise<WatchSession>;
}

export interface ApiFace {
  /** Stop taking new requests, let in-flight ones answer, end open watches. */
  drain(): Promise<void>;
}

export function parseRequestSubject(subject: string): { caller: string; verb: Verb; resource: string } {
  const tokens = subject.split('.');
  const [, caller, verb, resourceToken] = tokens;
  if (tokens.length !== 4 || !caller || !verb || !resourceToken || !(VERBS as readonly string[]).includes(verb)) {
    throw badRequest(`unknown API subject ${subject}: expected api.<caller>.<verb>.<resource>`);
  }
  return { caller, verb: verb as Verb, resource: decodeToken(resourceToken) };
}

function decodeWireRequest(msg: Msg): ApiRequest & { inbox?: string } {
  const { caller, verb, resource } = parseRequestSubject(msg.subject);
  let body: unknown;
  try {
    body = decode(msg.data);
  } catch (error) {
    throw badRequest(`the request body is not valid msgpack: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be a msgpack map');
  }
  // A `user` in the body is ignored: only the subject, which the NATS server vouches for, says who asks.
  const { user: _claimed, ...fields } = body as WireRequest & { user?: unknown };
  const user = identityOfNatsCaller(caller);
  return { ...fields, verb, resource, ...(user ? { user } : {}) };
}

export interface ServeApiOptions {
  /** How long a watch lives without its client's keep-alive (default WATCH_ALIVE_TIMEOUT_MS). */
  watchAliveTimeoutMs?: number;
}

/** Serves the API face on an open connection until drained. */
export function serveApi(nc: NatsConnection, handlers: ApiHandlers, log: Logger, options: ServeApiOptions = {}): ApiFace {
  const aliveTimeoutMs = options.watchAliveTimeoutMs ?? WATCH_ALIVE_TIMEOUT_MS;
  const watches = new Map<string, { session: WatchSession; aliveTimer: NodeJS.Timeout; control: Subscription }>();
  const inFlight = new Set<Promise<void>>();

  const endWatch = (watchId: string) => {
    const watch = watches.get(watchId);
    if (!watch) return;
    watches.delete(watchId);
    clearTimeout(watch.aliveTimer);
    watch.control.unsubscribe();
    watch.session.stop();
  };

  const openWatch = async (msg: Msg, request: ApiRequest & { inbox?: string }) => {
    const inbox = request.inbox;
    if (!inbox) throw badRequest('a watch request needs an inbox to deliver events to');
    const watchId = createInbox().slice('_INBOX.'.length);
    let n = 0;
    const send = (event: WatchEvent) => {
      if (!watches.has(watchId) && event.type !== 'ERROR') return;
      nc.publish(inbox, encodeWireWatchEvent(event, ++n));
    };
    // A client gone quiet may only be stalled (a long GC): it is told, with an error that
    // says resume rather than re-list, so it watches again from the last revision it holds
    // instead of waiting out its own silence deadline and then listing everything.
    const armAliveTimer = () =>
      setTimeout(() => {
        send({ type: 'ERROR', object: timeout(`no keep-alive from this watcher for ${aliveTimeoutMs / 1000} s: the API server ended the watch. Watch again from the last resourceVersion received`).toStatus() });
        endWatch(watchId);
      }, aliveTimeoutMs);
    const control = nc.subscribe(watchControlSubject(watchId, '*'), {
      callback: (_err, controlMsg) => {
        const watch = watches.get(watchId);
        if (!watch) return;
        if (controlMsg.subject.endsWith('.stop')) return endWatch(watchId);
        clearTimeout(watch.aliveTimer);
        watch.aliveTimer = armAliveTimer();
      },
    });
    // Registered before the session starts so that events sent while it starts are kept.
    const placeholder = { session: { stop() {} }, aliveTimer: armAliveTimer(), control };
    watches.set(watchId, placeholder);
    try {
      placeholder.session = await handlers.watch(request, send, () => endWatch(watchId));
    } catch (error) {
      endWatch(watchId);
      throw error;
    }
    msg.respond(encode({ ok: true, watchId } satisfies WireWatchOpened));
  };

  const answer = async (msg: Msg) => {
    try {
      const request = decodeWireRequest(msg);
      if (request.verb === 'watch') return await openWatch(msg, request);
      if (msg.reply) noteConnection(request, connectionOfReply(msg.reply));
      const reply = await handlers.handle(request);
      msg.respond(fitting(encode(reply), nc));
    } catch (error) {
      const status = toStatusError(error);
      if (status.code >= 500) log.error({ err: error, subject: msg.subject }, 'request failed');
      msg.respond(encode({ ok: false, status: status.toStatus() }));
    }
  };

  const subscription = nc.subscribe(API_SUBJECTS, {
    queue: API_QUEUE_GROUP,
    callback: (err, msg) => {
      if (err) return log.error({ err }, 'API subscription failed');
      const work = answer(msg).finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
  });

  let drained: Promise<void> | undefined;
  const drain = async () => {
    if (!subscription.isClosed()) await subscription.drain().catch(() => {});
    await Promise.allSettled([...inFlight]);
    for (const watchId of [...watches.keys()]) endWatch(watchId);
  };
  return {
    drain: () => (drained ??= drain()),
  };
}

/** A request's reply subject is its connection's inbox plus one token: the inbox names the connection (a flow for fair queuing). */
export function connectionOfReply(reply: string): string {
  const dot = reply.lastIndexOf('.');
  return dot > 0 ? reply.slice(0, dot) : reply;
}

/**
 * An answer larger than the server's max_payload would be dropped by NATS, leaving the
 * client to time out; a Status that says what to do instead reaches it at once.
 */
function fitting(bytes: Uint8Array, nc: NatsConnection): Uint8Array {
  const limit = nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
  if (bytes.byteLength <= limit) return bytes;
  const status = entityTooLarge(
    `the answer is ${bytes.byteLength} bytes, more than one NATS message holds (${limit}): list with limit and continue (ApiClient.listAll pages)`,
  );
  return encode({ ok: false, status: status.toStatus() });
}

/** Sends one request and decodes its reply; a transport failure surfaces as a StatusError. */
export async function requestApi(nc: NatsConnection, request: ApiRequest, timeoutMs = 30_000): Promise<ApiReply> {
  const { verb, resource, ...rest } = request;
  let msg: Msg;
  try {
    const { user: _user, ...wire } = rest;
    msg = await nc.request(apiSubject(verb, resource, callerOf(nc)), encode(wire satisfies WireRequest), {
      timeout: timeoutMs,
    });
  } catch (error) {
    throw translateRequestError(error);
  }
  return decode(msg.data) as ApiReply;
}

function translateRequestError(error: unknown): StatusError {
  const code = (error as { code?: string }).code;
  if (code === '503') return unavailable('no API server is answering on NATS: is `jetkube up` running against this NATS URL?');
  if (code === 'TIMEOUT') return timeout('the API server did not answer in time; the request may still have been applied');
  return toStatusError(error);
}

export interface WatchStream {
  /** Ends the watch on both sides. */
  stop(): void;
}

/**
 * Opens a watch and delivers its events in order. When the stream breaks (a lost message,
 * a server that stopped answering) the last event is an ERROR whose Status is not a 410:
 * every event before the break was delivered in order, so the caller watches again from
 * the last resourceVersion it received, as client-go does when a watch connection drops.
 * Only the API server's 410 (that revision is no longer served) calls for a re-list: after
 * a stall of the watcher at 150,000 pods, a re-list took 209 s.
 */
export async function watchApi(
  nc: NatsConnection,
  request: ApiRequest,
  onEvent: (event: WatchEvent) => void,
): Promise<WatchStream> {
  const inbox = inboxFor(nc);
  let expected = 1;
  let finished = false;
  let lastHeard = Date.now();
  // Events are handled a slice of time per turn of the event loop, not all in the socket read that brought them.
  const delivery = new PacedDelivery<WatchEvent>(onEvent, {
    overflow: () => ({
      type: 'ERROR',
      object: internalError(`this watcher fell ${MAX_QUEUED} events behind: watch again from the last resourceVersion received`).toStatus(),
    }),
  });
  /** Ends the watch on both sides; what was received is still delivered, then `final`. */
  const finish = (final?: WatchEvent) => {
    if (finished) return;
    finished = true;
    clearInterval(alive);
    subscription.unsubscribe();
    if (watchId) nc.publish(watchControlSubject(watchId, 'stop'));
    delivery.finishAfterQueued(final);
  };
  const subscription = nc.subscribe(inbox, {
    callback: (_err, msg) => {
      if (finished) return;
      lastHeard = Date.now();
      const event = decode(msg.data) as WireWatchEvent;
      if (event.n !== expected) {
        return finish({
          type: 'ERROR',
          object: internalError(`watch lost events (${expected - 1} then ${event.n}): watch again from the last resourceVersion received`).toStatus(),
        });
      }
      expected++;
      const { n: _n, ...watchEvent } = event;
      if (!delivery.push(watchEvent)) return finish();
      if (watchEvent.type === 'ERROR' && isStatus(watchEvent.object)) finish();
    },
  });
  let watchId: string | undefined;
  const alive = setInterval(() => {
    if (!watchId) return;
    nc.publish(watchControlSubject(watchId, 'alive'));
    if (request.options?.allowWatchBookmarks && Date.now() - lastHeard > WATCH_ALIVE_TIMEOUT_MS * 2) {
      finish({
        type: 'ERROR',
        object: timeout(`no event or bookmark on this watch for ${(WATCH_ALIVE_TIMEOUT_MS * 2) / 1000} s: watch again from the last resourceVersion received`).toStatus(),
      });
    }
  }, WATCH_ALIVE_INTERVAL_MS);
  alive.unref();
  const { verb: _verb, resource, user: _user, ...rest } = request;
  let opened: WireWatchOpened;
  try {
    const msg = await nc.request(apiSubject('watch', resource, callerOf(nc)), encode({ ...rest, inbox } satisfies WireRequest), {
      timeout: 30_000,
    });
    opened = decode(msg.data) as WireWatchOpened;
  } catch (error) {
    finish();
    throw translateRequestError(error);
  }
  if (!opened.ok) {
    finish();
    throw fromStatus(opened.status);
  }
  watchId = opened.watchId;
  return {
    stop: () => {
      finish();
      delivery.stop(); // the caller wants nothing more, not even what was already received
    },
  };
}
