/**
 * GET .../pods/{name}/log over HTTP: the options from the query, a Status for a bad
 * request (before any byte of output), then the lines as text/plain, chunked, headers
 * flushed at once so `kubectl logs -f` shows lines as they come. A client that goes away
 * ends the read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed } from '../api/errors.ts';
import { openPodLog, type PodLogDeps } from '../apiserver/pod-log.ts';
import { parsePodLogOptions } from '../logs/pod-log-options.ts';
import type { ResourcePath } from './route.ts';
import { notServed } from './to-request.ts';

export async function servePodLog(deps: PodLogDeps | undefined, req: IncomingMessage, res: ServerResponse, route: ResourcePath, query: URLSearchParams): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('the server does not allow this method on the requested resource');
  if (!deps || route.namespace === undefined || route.name === undefined) throw notServed('pods/log');
  const options = parsePodLogOptions(query, route.name);
  const stream = await openPodLog(deps, route.namespace, route.name, options);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.on('close', onClose);
  try {
    await stream((chunk) => res.write(chunk), gone.signal);
  } finally {
    res.off('close', onClose);
    res.end();
  }
}
