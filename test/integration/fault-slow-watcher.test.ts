/**
 * A watcher that stops reading (a stuck terminal running `kubectl get -w`, a hung client)
 * must not make the API server buffer every later event for it. The HTTP face waits for
 * the client's socket to drain; meanwhile its events queue in the watch cache, and once
 * more than the limit wait the watch ends with ERROR 410 Expired, as Kubernetes ends a
 * watcher that cannot keep up. Here: a raw HTTP watch pauses, 400 ConfigMaps of 64 KiB
 * (25 MiB, far beyond what socket buffers hold) are written, then the watcher reads
 * again: it finds a 410 and far fewer than 400 events, not 25 MiB held for it.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const MAX_BUFFERED = 50;
const WRITES = 400;
const VALUE = 'x'.repeat(64 * 1024);

let cluster: HttpTestCluster;
before(async () => {
  cluster = await startHttpTestCluster({ insecure: true, apiServer: { watchMaxBuffered: MAX_BUFFERED } });
});
after(async () => cluster?.dispose());

/** Opens a watch and resolves once the response headers arrived; the rest stays in `received`. */
function openWatch(url: URL, path: string): Promise<{ socket: Socket; received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    let headersSeen = false;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (!headersSeen && Buffer.concat(received).includes('\r\n\r\n')) {
        headersSeen = true;
        resolve({ socket, received });
      }
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`);
  });
}

/** The newline-delimited watch events of a chunked HTTP body. */
function watchEvents(raw: Buffer): { type: string; object: { code?: number; reason?: string } }[] {
  const text = raw.toString('utf8');
  let body = text.slice(text.indexOf('\r\n\r\n') + 4);
  let joined = '';
  while (body.length > 0) {
    const lineEnd = body.indexOf('\r\n');
    if (lineEnd < 0) break;
    const size = parseInt(body.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) break;
    joined += body.slice(lineEnd + 2, lineEnd + 2 + size);
    body = body.slice(lineEnd + 2 + size + 2);
  }
  return joined
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

it('ends the watch of a client that stopped reading with 410 instead of buffering for it', { timeout: 120_000 }, async () => {
  const url = new URL(cluster.insecureUrl!);
  const { socket, received } = await openWatch(url, '/api/v1/namespaces/default/configmaps?watch=true');
  socket.pause();

  for (let i = 0; i < WRITES; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, j) =>
        cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i + j}`, namespace: 'default' }, data: { v: VALUE } }),
      ),
    );
  }

  // Read again: the server sent what the socket held, then the 410, then ended the stream
  // (openWatch's handler keeps collecting into `received`). A server that buffered
  // everything instead sends all the events and keeps the stream open.
  let addedSeen = 0;
  const ended = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      addedSeen += chunk.toString('latin1').split('"type":"ADDED"').length - 1;
      if (addedSeen >= WRITES || Buffer.concat(received.slice(-2)).includes('\r\n0\r\n\r\n')) resolve();
    });
    socket.on('end', resolve);
  });
  socket.resume();
  await ended;
  socket.destroy();

  const events = watchEvents(Buffer.concat(received));
  const added = events.filter((e) => e.type === 'ADDED').length;
  const last = events.at(-1);
  assert.equal(last?.type, 'ERROR', `the watch ends with an ERROR event (got ${added} ADDED and then ${last?.type})`);
  assert.equal(last?.object.code, 410);
  assert.equal(last?.object.reason, 'Expired');
  assert.ok(added < WRITES, `only what the socket held reached the client: ${added} of ${WRITES}`);
  assert.equal((await cluster.client.listAll('configmaps', 'default', {}, 20)).items.length, WRITES, 'every write landed regardless');
});
