import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../src/api/object.ts';
import { ProcessRuntime } from '../../src/runtime/process-runtime.ts';
import { mountsFor, prepareVolumes } from '../../src/runtime/volumes.ts';
import type { ContainerConfig, OutputStream, PodSandbox, RunningContainer } from '../../src/runtime/runtime.ts';

type Line = { stream: OutputStream; text: string };

let rootDir: string;
let runtime: ProcessRuntime;
before(async () => {
  rootDir = await mkdtemp(join(tmpdir(), 'jetkube-images-'));
  runtime = new ProcessRuntime({ rootDir });
});
after(async () => {
  await runtime.killAll();
  await rm(rootDir, { recursive: true, force: true });
});

function sandbox(name: string): PodSandbox {
  const uid = randomUUID();
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return { uid, namespace: 'default', name, dir: join(rootDir, 'pods', uid), ip: `127.${100 + Math.floor(Math.random() * 100)}.${octet()}.${octet()}` };
}

/** Starts a container and waits for the output line that says it is ready. */
async function start(box: PodSandbox, config: Partial<ContainerConfig> & { image: string }, ready: RegExp): Promise<{ container: RunningContainer; lines: Line[]; match: RegExpExecArray }> {
  const lines: Line[] = [];
  let onLine: (() => void) | undefined;
  const container = await runtime.startContainer(box, { name: 'c', env: [], mounts: [], attempt: 0, ...config }, ({ stream, text }) => {
    lines.push({ stream, text });
    onLine?.();
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      for (const line of lines) {
        const found = ready.exec(line.text);
        if (found) return resolve(found);
      }
    };
    onLine = check;
    check();
    void container.exited.then((exit) => reject(new Error(`exited before ready: ${JSON.stringify(exit)} ${JSON.stringify(lines)}`)));
  });
  return { container, lines, match };
}

describe('image programs', () => {
  it('nginx serves the files of a volume mounted at /usr/share/nginx/html and exits 0 on `nginx -s quit` (SIGQUIT)', async () => {
    const box = sandbox('site');
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'site', namespace: 'default', uid: box.uid },
      spec: { volumes: [{ name: 'html', configMap: { name: 'site' } }], containers: [] },
    };
    const site: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'default' }, data: { 'index.html': '<h1>hello from a configmap</h1>' } };
    const paths = await prepareVolumes(pod, box.dir, { configMaps: new Map([['site', site]]), secrets: new Map() });
    const mounts = mountsFor({ name: 'c', volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }] }, paths);
    const { container, match } = await start(box, { image: 'nginx', mounts }, /listening on (.+):(\d+)$/);
    assert.equal(match[1], box.ip, 'nginx binds the pod IP the runtime passes');
    const response = await fetch(`http://${box.ip}:${match[2]}/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '<h1>hello from a configmap</h1>');
    const test = await container.exec(['nginx', '-t'], { timeoutMs: 5_000 });
    assert.equal(test.exitCode, 0);
    assert.match(test.stderr, /test is successful/);
    const quit = await container.exec(['sh', '-c', 'nginx -s quit'], { timeoutMs: 5_000 });
    // nginx may be gone before the exec'd command has exited, and an exec dies with its container.
    assert.ok(quit.exitCode === 0 || quit.exitCode === 137, `nginx -s quit: ${JSON.stringify(quit)}`);
    assert.equal(quit.timedOut, false);
    const exit = await container.exited;
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.reason, 'Completed');
  });

  it('agnhost netexec answers /hostname with the pod name and /echo with the message', async () => {
    const box = sandbox('netexec-pod');
    const { container } = await start(box, { image: 'e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=8080'] }, /Started HTTP server/);
    assert.equal(await (await fetch(`http://${box.ip}:8080/hostname`)).text(), 'netexec-pod');
    assert.equal(await (await fetch(`http://${box.ip}:8080/echo?msg=ping`)).text(), 'ping');
    assert.equal((await container.stop(5_000)).exitCode, 0);
  });

  it('echoserver describes the request it got', async () => {
    const box = sandbox('echo');
    const { container } = await start(box, { image: 'echoserver:2.5' }, /Started HTTP server/);
    const text = await (await fetch(`http://${box.ip}:8080/some/path?x=1`, { headers: { 'x-probe': 'yes' } })).text();
    assert.match(text, /Hostname: echo/);
    assert.match(text, /real path=\/some\/path/);
    assert.match(text, /x-probe=yes/);
    assert.equal((await container.stop(5_000)).exitCode, 0);
  });

  it('agnhost without a known subcommand fails as agnhost does', async () => {
    const lines: Line[] = [];
    const container = await runtime.startContainer(sandbox('bad'), { name: 'c', image: 'agnhost', args: ['frobnicate'], env: [], mounts: [], attempt: 0 }, ({ stream, text }) => lines.push({ stream, text }));
    const exit = await container.exited;
    assert.equal(exit.exitCode, 1);
    assert.match(lines.find((l) => l.stream === 'stderr')?.text ?? '', /unknown command "frobnicate"/);
  });

  it('node runs the host node', async () => {
    const lines: Line[] = [];
    const container = await runtime.startContainer(sandbox('n'), { name: 'c', image: 'node:20', command: ['node', '-e', 'console.log(process.versions.node)'], env: [], mounts: [], attempt: 0 }, ({ text }) => lines.push({ stream: 'stdout', text }));
    assert.equal((await container.exited).exitCode, 0);
    assert.deepEqual(lines.map((l) => l.text), [process.versions.node]);
  });
});
