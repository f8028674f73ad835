/**
 * The API server: connecting -> replaying -> bootstrapping -> openingApiFace -> serving ->
 * draining -> stopped
 * (and recovering -> connecting when the store must be rebuilt).
 *
 * It serves nothing before its store has replayed the log up to the revision the log had
 * when it started, so no client ever reads a store that is behind its own past writes.
 * The log follower keeps running while it serves (it is invoked by the parent state of
 * replaying and serving), and the API face answers on NATS in a queue group, so several
 * API servers share the load. Losing NATS at start is retried with backoff; losing it
 * later is the NATS client's job (it reconnects) and the follower's (it resumes).
 *
 * The machine only sequences. Every effect is an invoked actor named in setup() and
 * implemented in src/apiserver/effects.ts; tests swap them with .provide().
 */
import { assign, setup } from 'xstate';
import type { ApiServerConnection, FollowerEvent, ServeInput } from '../src/apiserver/effects.ts';
import {
  closeConnection,
  connectToLog,
  ensureSystemNamespaces,
  followLog,
  openApiFace,
  serveApiFace,
  serveEncryptionRewrite,
  writeSnapshots,
} from '../src/apiserver/effects.ts';
import type { AdmissionSelection } from '../src/admission/plugins.ts';
import { serveHttpFace, type HttpFaceConfig, type HttpFaceEvent, type ServeHttpInput } from '../src/http/effect.ts';

export interface ApiServerInput {
  natsUrl: string;
  /** Names the NATS connection; several API servers need different names. */
  name?: string;
  /** How many recent changes the watch cache keeps in memory (default: the cache's own). */
  watchCacheSize?: number;
  /** How many events may wait for one slow watcher before its watch ends with 410 (default: the cache's own). */
  watchMaxBuffered?: number;
  /** Workload requests executing at once before the rest queue fairly (default 100; 0: no flow control). */
  maxRequestsInflight?: number;
  /** Write a snapshot after at least this many revisions (default 10,000; more once the store has more objects; 0: only on request). */
  snapshotEvery?: number;
  /** The Kubernetes HTTPS face (kubectl's); absent: the NATS face alone. */
  http?: HttpFaceConfig;
  /** Admission plugins to turn on or off (--enable-admission-plugins / --disable-admission-plugins). */
  admission?: AdmissionSelection;
  /** The EncryptionConfiguration sealing Secrets in the log (default: <data-dir>/encryption-config.yaml, if there). */
  encryptionConfigFile?: string;
  /** kube-apiserver's --audit-policy-file. */
  auditPolicyFile?: string;
}

interface ApiServerContext {
  natsUrl: string;
  name: string;
  watchCacheSize?: number;
  watchMaxBuffered?: number;
  maxRequestsInflight?: number;
  snapshotEvery?: number;
  http?: HttpFaceConfig;
  admission?: AdmissionSelection;
  encryptionConfigFile?: string;
  /** kube-apiserver's --audit-policy-file. */
  auditPolicyFile?: string;
  /** Where the HTTP face listens once it does: "https://127.0.0.1:6443". */
  httpUrl?: string;
  insecureHttpUrl?: string;
  connection?: ApiServerConnection;
  connectAttempts: number;
  replayed: number;
  replayTarget: number;
  lastError?: string;
}

export type ApiServerEvent = FollowerEvent | HttpFaceEvent | { type: 'stop' };

export const apiServerMachine = setup({
  types: {
    input: {} as ApiServerInput,
    context: {} as ApiServerContext,
    events: {} as ApiServerEvent,
  },
  actors: {
    connectToLog,
    followLog,
    openApiFace,
    serveApiFace,
    serveHttpFace,
    ensureSystemNamespaces,
    writeSnapshots,
    serveEncryptionRewrite,
    closeConnection,
  },
  delays: {
    reconnectBackoff: ({ context }) => Math.min(250 * 2 ** context.connectAttempts, 5_000),
  },
}).createMachine({
  id: 'apiserver',
  context: ({ input }) => ({
    natsUrl: input.natsUrl,
    name: input.name ?? 'apiserver',
    watchCacheSize: input.watchCacheSize,
    watchMaxBuffered: input.watchMaxBuffered,
    maxRequestsInflight: input.maxRequestsInflight,
    snapshotEvery: input.snapshotEvery,
    http: input.http,
    admission: input.admission,
    encryptionConfigFile: input.encryptionConfigFile,
    auditPolicyFile: input.auditPolicyFile,
    connectAttempts: 0,
    replayed: 0,
    replayTarget: 0,
  }),
  initial: 'connecting',
  on: { stop: '.draining' },
  states: {
    connecting: {
      invoke: {
        src: 'connectToLog',
        input: ({ context }) => ({ natsUrl: context.natsUrl, name: context.name, watchCacheSize: context.watchCacheSize, watchMaxBuffered: context.watchMaxBuffered, maxRequestsInflight: context.maxRequestsInflight, snapshotEvery: context.snapshotEvery, admission: context.admission, ...(context.encryptionConfigFile ? { encryptionConfigFile: context.encryptionConfigFile } : {}), ...(context.auditPolicyFile ? { auditPolicyFile: context.auditPolicyFile } : {}), ...(context.http ? { pkiDir: context.http.pkiDir } : {}) }),
        onDone: {
          target: 'online',
          actions: assign({ connection: ({ event }) => event.output, connectAttempts: 0 }),
        },
        onError: {
          target: 'waitingForNats',
          actions: assign({
            lastError: ({ event }) => String((event.error as Error)?.message ?? event.error),
            connectAttempts: ({ context }) => context.connectAttempts + 1,
          }),
        },
      },
    },
    waitingForNats: {
      after: { reconnectBackoff: 'connecting' },
    },
    online: {
      invoke: {
        src: 'followLog',
        input: ({ context }) => context.connection!,
      },
      on: {
        'log.progress': {
          actions: assign({ replayed: ({ event }) => event.revision, replayTarget: ({ event }) => event.target }),
        },
        // The store can no longer be trusted (a gap in the log, a lost stream): rebuild it.
        'log.failed': {
          target: 'recovering',
          actions: assign({ lastError: ({ event }) => event.message }),
        },
      },
      initial: 'replaying',
      states: {
        replaying: {
          on: { 'log.caughtUp': 'bootstrapping' },
        },
        // The system namespaces and the bootstrap RBAC policy exist before either face
        // serves, so no component is refused while its role is still being written.
        bootstrapping: {
          invoke: {
            src: 'ensureSystemNamespaces',
            input: ({ context }) => context.connection!,
            onDone: 'openingApiFace',
            onError: 'openingApiFace',
          },
        },
        // Serving means answering: the NATS face's subscription has reached nats-server.
        openingApiFace: {
          invoke: {
            src: 'openApiFace',
            input: ({ context }): ServeInput => context.connection!,
            onDone: 'serving',
            onError: 'serving',
          },
        },
        serving: {
          invoke: [
            { src: 'serveApiFace', input: ({ context }): ServeInput => context.connection! },
            { src: 'serveHttpFace', input: ({ context }): ServeHttpInput => ({ connection: context.connection!, http: context.http }) },
            { src: 'writeSnapshots', input: ({ context }) => context.connection! },
            { src: 'serveEncryptionRewrite', input: ({ context }) => context.connection! },
          ],
          on: {
            'http.listening': {
              actions: assign({ httpUrl: ({ event }) => event.url, insecureHttpUrl: ({ event }) => event.insecureUrl }),
            },
            'http.failed': { actions: assign({ lastError: ({ event }) => `HTTP face: ${event.message}` }) },
          },
          exit: assign({ httpUrl: undefined, insecureHttpUrl: undefined }),
        },
      },
    },
    draining: {
      invoke: {
        src: 'closeConnection',
        input: ({ context }) => context.connection,
        onDone: 'stopped',
        onError: 'stopped',
      },
    },
    recovering: {
      invoke: {
        src: 'closeConnection',
        input: ({ context }) => context.connection,
        onDone: { target: 'connecting', actions: assign({ connection: undefined }) },
        onError: { target: 'connecting', actions: assign({ connection: undefined }) },
      },
    },
    stopped: { type: 'final' },
  },
});
