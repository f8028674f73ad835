// `kubectl exec` and `kubectl port-forward` through the HTTPS face: WebSocket (and SPDY
// inside it) from kubectl to the API server, a NATS session to the pod's node, and a real
// process or TCP server there. The node end here is the kubelet's streaming server over
// a container whose execStream spawns processes and a pod address on loopback, so this
// checks the whole relay without a kubelet: output, exit codes, stdin, bytes, errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import type { Subscription } from 'nats';
import { componentLogger } from '../../src/log.ts';
import type { RunningContainer } from '../../src/runtime/runtime.ts';
import { serveKubeletStreams } from '../../src/streaming/kubelet-streams.ts';
import { spawnExecSession } from '../../src/runtime/exec-session.ts';
import { spawn } from 'node:child_process';
import { eventually } from '../support/cluster.ts';
import { KUBECTL, kubectlOk, startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const NS = 'default';

describe('kubectl exec', { timeout: 120_000 }, () => {
  let cluster: HttpTestCluster;
  let node: Subscription;
  let echo: Server | undefined;
  const asked: string[] = [];

  const container: RunningContainer = {
    id: 'test://shell/0',
    startedAt: new Date(),
    exited: new Promise(() => {}),
    stop: () => Promise.reject(new Error('not used')),
    exec: () => Promise.reject(new Error('not used')),
    execStream: (command, streams) => spawnExecSession(command, { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GREETING: 'from the container' } }, streams),
  };

  before(async () => {
    cluster = await startHttpTestCluster();
    node = serveKubeletStreams(cluster.client.nc, 'node-1', {
      findContainer: (namespace, pod, _uid, name) => {
        asked.push(`${namespace}/${pod}/${name}`);
        return pod === 'shell' && name === 'main' ? container : undefined;
      },
      podAddress: (_namespace, pod) => (pod === 'shell' ? '127.0.0.1' : undefined),
      logger: componentLogger('test-kubelet'),
    });
    for (const [name, nodeName] of [['shell', 'node-1'], ['orphan', 'node-gone']] as const) {
      const created = await cluster.client.create('pods', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
        spec: { nodeName, containers: [{ name: 'main', image: 'busybox' }] },
      });
      // kubectl port-forward asks for a Running pod.
      await cluster.client.update('pods', { ...created, status: { phase: 'Running' } }, { subresource: 'status' });
    }
    await cluster.client.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unscheduled', namespace: NS },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
  });
  after(async () => {
    echo?.close();
    node?.unsubscribe();
    await cluster?.dispose();
  });

  it('runs the command in the container and prints its output', async () => {
    const { stdout } = await kubectlOk(cluster, 'exec', 'shell', '--', 'sh', '-c', 'echo "$GREETING"; echo to-stderr >&2');
    assert.equal(stdout, 'from the container\n');
    assert.ok(asked.includes('default/shell/main'));
  });

  it('exits with the command\'s exit code and says so', async () => {
    const result = await cluster.kubectl('exec', 'shell', '-c', 'main', '--', 'sh', '-c', 'echo partial; exit 3');
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'partial\n');
    assert.match(result.stderr, /command terminated with exit code 3/);
  });

  it('passes stdin through with -i, and ends the command at its end', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, 'exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z'], {
      env: { ...process.env, HOME: cluster.dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdin?.end('hello through stdin\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.equal(out, 'HELLO THROUGH STDIN\n');
  });

  it('refuses what cannot run: no such container, an unscheduled pod, a node without a kubelet', async () => {
    const wrong = await cluster.kubectl('exec', 'shell', '-c', 'sidecar', '--', 'true');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /container sidecar is not valid for pod shell/);

    const unscheduled = await cluster.kubectl('exec', 'unscheduled', '--', 'true');
    assert.notEqual(unscheduled.code, 0);
    assert.match(unscheduled.stderr, /pod unscheduled does not have a host assigned/);

    const orphan = await cluster.kubectl('exec', 'orphan', '--', 'true');
    assert.notEqual(orphan.code, 0);
    assert.match(orphan.stderr, /the kubelet of node node-gone does not answer/);
  });

  it('port-forward carries bytes both ways to the pod\'s port, and reports a refused one', async () => {
    echo = createServer((socket) => socket.on('data', (data) => socket.write(`echo:${data.toString()}`)));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    const podPort = (echo.address() as AddressInfo).port;
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadPort = (closed.address() as AddressInfo).port;
    closed.close();

    const forwarder = cluster.spawnKubectl('port-forward', 'pod/shell', `:${podPort}`, `:${deadPort}`);
    let out = '';
    let err = '';
    forwarder.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    forwarder.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const local = (remote: number) => eventually(() => {
      const match = new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${remote}`).exec(out);
      return match ? Number(match[1]) : undefined;
    }, 20_000, `kubectl to listen for port ${remote}`);

    const talk = async (port: number, text: string) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(text);
      return { socket, answer: () => answer };
    };
    const first = await talk(await local(podPort), 'ping');
    await eventually(() => first.answer() === 'echo:ping' || undefined, 20_000, 'the echo');
    first.socket.write('again');
    await eventually(() => first.answer() === 'echo:pingecho:again' || undefined, 20_000, 'the second echo');
    first.socket.end();

    const refused = await talk(await local(deadPort), 'anyone?');
    await eventually(() => /an error occurred forwarding .*connection refused/.test(err) || undefined, 20_000, 'the refusal on stderr');
    refused.socket.destroy();
    forwarder.kill();
  });
});
