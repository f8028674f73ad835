import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/object.ts';
import { exitStatus, frame, parseFrame, parseResize, STDOUT } from '../../src/streaming/channel-protocol.ts';
import { execTarget } from '../../src/streaming/exec-request.ts';

const pod = (spec: Record<string, unknown>, phase = 'Running'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u' },
  spec: { containers: [{ name: 'a' }, { name: 'b' }], ...spec },
  status: { phase },
});

describe('the channel protocol', () => {
  it('frames carry the channel in their first byte', () => {
    const framed = frame(STDOUT, 'hi');
    assert.deepEqual([...framed], [1, 104, 105]);
    const parsed = parseFrame(framed)!;
    assert.equal(parsed.channel, STDOUT);
    assert.equal(new TextDecoder().decode(parsed.data), 'hi');
    assert.equal(parseFrame(new Uint8Array()), undefined);
  });

  it('a non-zero exit is a NonZeroExitCode Status with the code as its cause', () => {
    const status = exitStatus(3, ['sh', '-c', 'exit 3']);
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    assert.equal(exitStatus(0, ['true']).status, 'Success');
  });

  it('reads resize messages and ignores malformed ones', () => {
    assert.deepEqual(parseResize(new TextEncoder().encode('{"Width":80,"Height":24}')), { width: 80, height: 24 });
    assert.equal(parseResize(new TextEncoder().encode('not json')), undefined);
  });
});

describe('exec targets', () => {
  const query = (q: string) => new URLSearchParams(q);

  it('names the node and every command word, in order', () => {
    const target = execTarget('exec', pod({ nodeName: 'n1' }), query('command=sh&command=-c&command=echo+hi&container=b&stdout=true&stderr=true'));
    assert.equal(target.node, 'n1');
    assert.deepEqual(target.request.command, ['sh', '-c', 'echo hi']);
    assert.equal(target.request.container, 'b');
    assert.equal(target.request.stdin, false);
  });

  it('refuses with the errors kubectl shows', () => {
    const cases: Array<[KubeObject, string, RegExp]> = [
      [pod({ nodeName: 'n1' }), 'command=ls&stdout=true', /a container name must be specified for pod p, choose one of: \[a b\]/],
      [pod({ nodeName: 'n1' }), 'command=ls&container=c&stdout=true', /container c is not valid for pod p/],
      [pod({ nodeName: 'n1' }), 'container=a&stdout=true', /you must specify at least 1 command/],
      [pod({}), 'command=ls&container=a&stdout=true', /pod p does not have a host assigned/],
      [pod({ nodeName: 'n1' }, 'Succeeded'), 'command=ls&container=a&stdout=true', /completed pod; current phase is Succeeded/],
    ];
    for (const [p, q, message] of cases) {
      assert.throws(() => execTarget('exec', p, query(q)), (e: unknown) => e instanceof StatusError && e.code === 400 && message.test(e.message), q);
    }
  });
});
