/**
 * A watcher whose keep-alives stop reaching the API server (a client stalled by a long GC
 * looks exactly like that) is told so with a 504, not left in silence, and not with a 410:
 * it watches again from the last revision it received and re-lists nothing. Expected: the
 * server ends the watch after its keep-alive timeout (shortened to 0.3 s here, under the
 * client's 10 s keep-alive interval), the client sees ERROR 504, and an informer on top
 * keeps watching from the list's revision with no second list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStatus } from '../../src/api/errors.ts';
import type { ApiReply, ApiRequest, WatchEvent } from '../../src/apiserver/request.ts';
import { ApiClient } from '../../src/client/api-client.ts';
import { SharedInformerFactory } from '../../src/informer/informer-factory.ts';
import { componentLogger } from '../../src/log.ts';
import { serveApi, watchApi, type ApiFace } from '../../streams/api-transport.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const LIST_REVISION = '5';

let nats: TestNats;
let serverConnection: NatsConnection;
let face: ApiFace;
const lists: ApiRequest[] = [];
const watches: ApiRequest[] = [];
let onWatch: () => void = () => {};

before(async () => {
  nats = await startTestNats();
  serverConnection = await connectNats(nats.url, 'keepalive-test-server');
  face = serveApi(
    serverConnection,
    {
      async handle(request): Promise<ApiReply> {
        lists.push(request);
        return { ok: true, body: { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: LIST_REVISION }, items: [] } };
      },
      async watch(request) {
        watches.push(request);
        onWatch();
        return { stop() {} };
      },
    },
    componentLogger('keepalive-test'),
    { watchAliveTimeoutMs: 300 },
  );
});
after(async () => {
  await face.drain();
  await drainNats(serverConnection);
  await nats.dispose();
});

describe('a watcher whose keep-alives stop', () => {
  // Without the server's word the client would notice only after 70 s of silence.
  it('is ended with a 504 that says to watch again, not a 410', { timeout: 20_000 }, async () => {
    const client = await connectNats(nats.url, 'keepalive-test-client');
    try {
      const ended = new Promise<WatchEvent>((resolve) => {
        void watchApi(client, { verb: 'watch', resource: 'configmaps', namespace: 'default', options: { resourceVersion: LIST_REVISION } }, (event) => {
          if (event.type === 'ERROR') resolve(event);
        });
      });
      const event = await ended;
      assert.ok(isStatus(event.object));
      assert.equal(event.object.code, 504);
      assert.match(event.object.message ?? '', /no keep-alive from this watcher for 0.3 s.*Watch again from the last resourceVersion received/);
    } finally {
      await drainNats(client);
    }
  });

  it('an informer keeps watching from the revision it holds, with no second list', { timeout: 30_000 }, async () => {
    lists.length = 0;
    watches.length = 0;
    const thirdWatch = new Promise<void>((resolve) => {
      onWatch = () => {
        if (watches.length >= 3) resolve();
      };
    });
    const client = await ApiClient.connect(nats.url, 'keepalive-test-informer');
    const factory = new SharedInformerFactory(client);
    try {
      factory.informerFor('configmaps');
      factory.start();
      assert.ok(await factory.waitForCacheSync(10_000));
      await thirdWatch;
      assert.equal(lists.length, 1, 'listed once, at start');
      assert.deepEqual(
        watches.map((w) => w.options?.resourceVersion),
        [LIST_REVISION, LIST_REVISION, LIST_REVISION],
        'every watch resumed from the revision the informer holds',
      );
    } finally {
      factory.shutdown();
      await client.close();
    }
  });
});
