/**
 * A watch over HTTP: one chunked response of newline-delimited `{"type","object"}` JSON,
 * headers flushed as soon as the watch is open (kubectl's rollout status waits for them
 * before anything else), each event written as it comes. An ERROR event (a Status, e.g.
 * 410 Expired) ends the stream; so does the watch's own timeout; a client that goes away
 * stops the watch. A watch that cannot open at all answers a plain Status instead.
 * `encode` turns each object into what the client asked for (the object, or a Table).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { ApiRequest, WatchEvent, WatchSession } from '../apiserver/request.ts';
import type { Logger } from '../log.ts';
import { sendError } from './respond.ts';

export type EncodeEvent = (event: WatchEvent) => unknown;

export async function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  pipeline: Pipeline,
  request: ApiRequest,
  contentType: string,
  encode: EncodeEvent,
  logger: Logger,
): Promise<void> {
  let open = false;
  let finished = false;
  let clientGone = false;
  let endedBeforeOpen = false;
  let session: WatchSession | undefined;
  const early: WatchEvent[] = [];

  const finish = () => {
    if (!open) {
      endedBeforeOpen = true;
      return;
    }
    if (finished) return;
    finished = true;
    session?.stop();
    if (!res.writableEnded) res.end();
  };
  const write = (event: WatchEvent): void | Promise<void> => {
    if (finished) return;
    let flushed: boolean;
    try {
      flushed = res.write(`${JSON.stringify({ type: event.type, object: encode(event) })}\n`);
    } catch (error) {
      logger.warn({ err: error }, 'could not encode a watch event; ending the watch');
      finish();
      return;
    }
    if (event.type === 'ERROR') finish();
    // A client that does not read fills the socket: wait for it to drain (or go away) rather
    // than buffer without bound here; the watch cache holds what comes meanwhile, up to its limit.
    else if (!flushed) return untilDrained();
  };
  const untilDrained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  const send = (event: WatchEvent) => (open ? write(event) : void early.push(event));

  const gone = () => {
    clientGone = true;
    if (open) finish();
  };
  res.on('close', gone);
  req.on('close', () => {
    if (!res.writableEnded) gone();
  });

  try {
    session = await pipeline.watch(request, send, finish);
  } catch (error) {
    sendError(res, error);
    return;
  }
  if (clientGone) {
    session.stop();
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  open = true;
  for (const event of early.splice(0)) write(event);
  if (endedBeforeOpen) finish();
}
