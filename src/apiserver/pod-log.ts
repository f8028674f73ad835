/**
 * `GET pods/{name}/log`, independent of the face: read the pod through the pipeline,
 * pick the container and attempt (src/logs/pod-log-options.ts), then hand the stored
 * lines of that attempt to `write`, the last tailLines of them, up to limitBytes. A
 * follow keeps going until the attempt can write no more (the pod's status says it
 * ended, or the pod is gone): then it delivers what the kubelet stored up to that moment
 * and stops, as the kubelet closes a followed stream when its container exits.
 */
import { StatusError, fromStatus } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { attemptEnded, formatLogLine, logTarget, type LogTarget, type PodLogOptions } from '../logs/pod-log-options.ts';
import type { LogReadOptions, StoredLogLine } from '../../streams/logs-stream.ts';
import type { Pipeline } from './pipeline.ts';
import type { WatchEvent, WatchSession } from './request.ts';

/** Where stored container output is read (streams/logs-stream.ts over the API server's connection). */
export interface ContainerLogReader {
  readLog(options: LogReadOptions, caughtUp: () => void): AsyncIterable<StoredLogLine>;
  /** The sequence of the newest stored line of one container. */
  lastLogSeq(namespace: string, pod: string, container: string): Promise<number>;
}

export interface PodLogDeps extends ContainerLogReader {
  pipeline: Pipeline;
  now(): Date;
}

/** Resolves the target first (so a bad request fails before any byte is written), then returns the streamer. */
export async function openPodLog(
  deps: PodLogDeps,
  namespace: string,
  name: string,
  options: PodLogOptions,
): Promise<(write: (chunk: string) => void, signal: AbortSignal) => Promise<void>> {
  const reply = await deps.pipeline.handle({ verb: 'get', resource: 'pods', namespace, name });
  if (!reply.ok) throw fromStatus(reply.status);
  const pod = reply.body as KubeObject;
  const target = logTarget(pod, options, deps.now());
  const follow = options.follow && !options.previous && !attemptEnded(pod, target);
  return (write, signal) => streamLines(deps, namespace, name, pod, target, { ...options, follow }, write, signal);
}

async function streamLines(
  deps: PodLogDeps,
  namespace: string,
  name: string,
  pod: KubeObject,
  target: LogTarget,
  options: PodLogOptions,
  write: (chunk: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const reading = new AbortController();
  const stopReading = () => reading.abort();
  signal.addEventListener('abort', stopReading, { once: true });
  let lastSeq = 0;
  let endSeq: number | undefined;
  let watch: WatchSession | undefined;
  if (options.follow) {
    watch = await watchAttempt(deps, namespace, name, pod, target, () => {
      void deps.lastLogSeq(namespace, name, target.container).then((seq) => {
        endSeq = seq;
        if (lastSeq >= seq) reading.abort();
      }, stopReading);
    });
  }

  let caughtUp = false;
  const tail: string[] = [];
  let budget = options.limitBytes ?? Number.POSITIVE_INFINITY;
  const emit = (chunk: string) => {
    if (budget <= 0) return;
    const out = Buffer.byteLength(chunk) > budget ? Buffer.from(chunk).subarray(0, budget).toString() : chunk;
    budget -= Buffer.byteLength(out);
    write(out);
    if (budget <= 0) reading.abort();
  };
  const flushTail = () => {
    caughtUp = true;
    for (const chunk of tail.splice(0)) emit(chunk);
  };
  try {
    const lines = deps.readLog(
      { namespace, pod: name, container: target.container, follow: options.follow, signal: reading.signal, ...(target.since ? { since: target.since } : {}) },
      flushTail,
    );
    for await (const line of lines) {
      lastSeq = line.seq;
      if (line.podUid === target.podUid && line.attempt === target.attempt) {
        const chunk = formatLogLine(line.text, line.time, options.timestamps);
        if (caughtUp) emit(chunk);
        else {
          tail.push(chunk);
          if (options.tailLines !== undefined && tail.length > options.tailLines) tail.shift();
        }
      }
      if (endSeq !== undefined && lastSeq >= endSeq) break;
    }
    if (!caughtUp) flushTail();
  } finally {
    signal.removeEventListener('abort', stopReading);
    watch?.stop();
  }
}

/** Calls onEnded once, when the pod's status shows the attempt can write no more. */
async function watchAttempt(deps: PodLogDeps, namespace: string, name: string, pod: KubeObject, target: LogTarget, onEnded: () => void): Promise<WatchSession> {
  let ended = false;
  const check = (event: WatchEvent) => {
    if (ended) return;
    const object = event.type === 'DELETED' ? undefined : (event.object as KubeObject);
    if (event.type === 'ERROR' || event.type === 'BOOKMARK') return;
    if (attemptEnded(object, target)) {
      ended = true;
      onEnded();
    }
  };
  try {
    return await deps.pipeline.watch(
      {
        verb: 'watch',
        resource: 'pods',
        namespace,
        options: { fieldSelector: `metadata.name=${name}`, resourceVersion: pod.metadata.resourceVersion ?? '0' },
      },
      check,
      () => {},
    );
  } catch (error) {
    throw error instanceof StatusError ? error : new StatusError(500, 'InternalError', `cannot follow pod ${name}: ${String(error)}`);
  }
}
