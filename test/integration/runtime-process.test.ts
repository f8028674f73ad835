import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../src/api/object.ts';
import { ProcessRuntime } from '../../src/runtime/process-runtime.ts';
import { prepareVolumes, mountsFor } from '../../src/runtime/volumes.ts';
import { ContainerStartError, ImagePullError, type ContainerConfig, type OutputStream, type PodSandbox } from '../../src/runtime/runtime.ts';

type Line = { stream: OutputStream; text: string };

let rootDir: string;
let runtime: ProcessRuntime;

before(async () => {
  rootDir = await mkdtemp(join(tmpdir(), 'jetkube-runtime-'));
  runtime = new ProcessRuntime({ rootDir });
});
after(async () => {
  await runtime.killAll();
  await rm(rootDir, { recursive: true, force: true });
});

/** A pod of its own, on a loopback address of its own (127.0.0.0/8 is all local), so ports never clash. */
function sandbox(name = 'p'): PodSandbox {
  const uid = randomUUID();
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return { uid, namespace: 'default', name, dir: join(rootDir, 'pods', uid), ip: `127.${100 + Math.floor(Math.random() * 100)}.${octet()}.${octet()}` };
}

function config(overrides: Partial<ContainerConfig>): ContainerConfig {
  return { name: 'c', image: 'busybox', env: [], mounts: [], attempt: 0, ...overrides };
}

function sink(): { lines: Line[]; output: (line: Line & { time: Date }) => void } {
  const lines: Line[] = [];
  return { lines, output: ({ stream, text, time }) => (assert.ok(time instanceof Date), lines.push({ stream, text })) };
}

/** Polls a probe until it gives a value (the runtime's events are lines and exits, not callbacks a test can hook). */
async function eventually<T>(probe: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether a pid is a live process (a zombie waiting for its reaper counts as dead). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('process runtime', () => {
  it('captures stdout and stderr line by line and reports exit 3 as Error', async () => {
    const { lines, output } = sink();
    const container = await runtime.startContainer(sandbox(), config({ command: ['sh', '-c', 'echo hi; echo err >&2; printf partial; exit 3'] }), output);
    assert.match(container.id, /^process:\/\/.+\/c\/0$/);
    const exit = await container.exited;
    assert.equal(exit.exitCode, 3);
    assert.equal(exit.reason, 'Error');
    assert.equal(exit.signal, undefined);
    assert.ok(exit.finishedAt >= exit.startedAt);
    assert.deepEqual(lines.filter((l) => l.stream === 'stdout').map((l) => l.text), ['hi', 'partial']);
    assert.deepEqual(lines.filter((l) => l.stream === 'stderr').map((l) => l.text), ['err']);
  });

  it('reports exit 0 as Completed, runs the image default command, and passes env, pod IP and root', async () => {
    const box = sandbox('envpod');
    const { lines, output } = sink();
    const script = 'echo "$GREETING|$JETKUBE_POD_IP|$HOSTNAME|$JETKUBE_ROOT|$(pwd -P)"';
    const container = await runtime.startContainer(box, config({ command: ['sh', '-c'], args: [script], env: [{ name: 'GREETING', value: 'hello' }] }), output);
    const exit = await container.exited;
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.reason, 'Completed');
    const root = join(box.dir, 'containers', 'c');
    assert.deepEqual(lines, [{ stream: 'stdout', text: `hello|${box.ip}|envpod|${root}|${root}` }]);

    const defaults = await runtime.startContainer(sandbox(), config({ name: 'default' }), () => {});
    assert.equal((await defaults.exited).reason, 'Completed', 'busybox runs sh, which ends at once without stdin');
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over', async () => {
    const { lines, output } = sink();
    const container = await runtime.startContainer(sandbox(), config({ command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] }), output);
    await eventually(() => lines.some((l) => l.text === 'ready'), 5_000, 'the trap to be set');
    const started = Date.now();
    const exit = await container.stop(300);
    const elapsed = Date.now() - started;
    assert.equal(exit.exitCode, 137);
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.reason, 'Error');
    assert.ok(elapsed >= 250, `killed after the grace period, not before (${elapsed} ms)`);
    assert.ok(elapsed < 5_000, `killed soon after the grace period (${elapsed} ms)`);
    assert.equal(await container.stop(300), exit, 'stop is idempotent');
  });

  it('stop() signals the whole process group: the shell and its child both get SIGTERM', async () => {
    const { lines, output } = sink();
    // The child reports its SIGTERM; the shell waits for it, so the report is not cut short.
    const script = [
      'child() { trap "echo child got TERM; exit 0" TERM; while :; do sleep 0.05; done; }',
      'child & pid=$!',
      'trap "wait $pid; exit 5" TERM',
      'echo $pid',
      'wait',
    ].join('\n');
    const container = await runtime.startContainer(sandbox(), config({ command: ['sh', '-c', script] }), output);
    const childPid = Number(await eventually(() => lines.find((l) => /^\d+$/.test(l.text))?.text, 5_000, 'the child pid'));
    assert.ok(isAlive(childPid));
    const exit = await container.stop(10_000);
    assert.equal(exit.exitCode, 5, 'the shell ran its TERM trap');
    assert.ok(lines.some((l) => l.text === 'child got TERM'), 'the child was signalled too');
    await eventually(() => !isAlive(childPid), 5_000, 'the child to die');
  });

  it('a shell killed by SIGTERM reports 143 and SIGTERM', async () => {
    const { lines, output } = sink();
    const container = await runtime.startContainer(sandbox(), config({ command: ['sh', '-c', 'echo ready; sleep 300'] }), output);
    await eventually(() => lines.some((l) => l.text === 'ready'), 5_000, 'the shell to start');
    const exit = await container.stop(10_000);
    assert.equal(exit.exitCode, 143);
    assert.equal(exit.signal, 'SIGTERM');
  });

  it('takes the rest of the group down when the main process ends, as the end of PID 1 does', async () => {
    const { lines, output } = sink();
    const container = await runtime.startContainer(sandbox(), config({ command: ['sh', '-c', 'sleep 300 & echo $!'] }), output);
    const exit = await container.exited;
    assert.equal(exit.reason, 'Completed');
    const childPid = Number(lines[0]?.text);
    assert.ok(childPid > 0);
    await eventually(() => !isAlive(childPid), 5_000, 'the orphaned child to die');
  });

  it('runs nginx: it answers HTTP on the pod IP, logs access lines and exits 0 on stop', async () => {
    const box = sandbox('web');
    const { lines, output } = sink();
    const container = await runtime.startContainer(box, config({ name: 'nginx', image: 'nginx:1.27' }), output);
    const listening = await eventually(() => lines.find((l) => l.stream === 'stderr' && l.text.includes('listening on'))?.text, 10_000, 'nginx to listen');
    const port = Number(/:(\d+)$/.exec(listening)![1]);
    assert.ok(port === 80 || port === 8080);
    const response = await fetch(`http://${box.ip}:${port}/`, { headers: { 'user-agent': 'runtime-test' } });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Welcome to nginx!/);
    const missing = await fetch(`http://${box.ip}:${port}/nope`);
    assert.equal(missing.status, 404);
    await missing.text();
    const access = await eventually(() => lines.find((l) => l.stream === 'stdout' && l.text.includes('"GET / HTTP/1.1" 200')), 5_000, 'an access line');
    assert.match(access.text, /^127\.\d+\.\d+\.\d+ - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "runtime-test"/);
    const exit = await container.stop(10_000);
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.reason, 'Completed');
  });

  it('execs in the container environment, with a timeout', async () => {
    const box = sandbox();
    const container = await runtime.startContainer(box, config({ image: 'pause', env: [{ name: 'MODE', value: 'exec' }] }), () => {});
    const result = await container.exec(['sh', '-c', 'echo "$MODE $(pwd -P)"; echo oops >&2; exit 4'], { timeoutMs: 5_000 });
    assert.deepEqual(result, { exitCode: 4, stdout: `exec ${join(box.dir, 'containers', 'c')}\n`, stderr: 'oops\n', timedOut: false });

    const started = Date.now();
    const slow = await container.exec(['sh', '-c', 'sleep 30'], { timeoutMs: 200 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.exitCode, 137);
    assert.ok(Date.now() - started < 5_000);

    const missing = await container.exec(['no-such-tool'], { timeoutMs: 1_000 });
    assert.equal(missing.exitCode, 126);
    assert.match(missing.stderr, /exec: "no-such-tool": executable file not found in \$PATH/);

    const exit = await container.stop(5_000);
    assert.equal(exit.exitCode, 0, 'pause exits 0 on SIGTERM');
    await assert.rejects(container.exec(['true'], { timeoutMs: 1_000 }));
  });

  it('execStream attaches stdin, stdout and stderr (kubectl exec), and the command dies with its container', async () => {
    const box = sandbox('streams');
    const container = await runtime.startContainer(box, config({ image: 'pause', env: [{ name: 'MODE', value: 'attached' }] }), () => {});
    const out: string[] = [];
    const err: string[] = [];
    const session = container.execStream!(['sh', '-c', 'read line; echo "$MODE:$line"; echo oops >&2; exit 4'], {
      stdin: true,
      tty: false,
      onOutput: (stream, data) => (stream === 'stdout' ? out : err).push(Buffer.from(data).toString()),
    });
    session.write(new TextEncoder().encode('hello\n'));
    session.endInput();
    assert.equal(await session.exited, 4);
    assert.equal(out.join(''), 'attached:hello\n');
    assert.equal(err.join(''), 'oops\n');

    const long = container.execStream!(['sh', '-c', 'sleep 60'], { stdin: false, tty: false, onOutput: () => {} });
    await container.stop(5_000);
    assert.equal(await long.exited, 137, 'an exec session is killed with its container');
  });

  it('shows a configMap volume at etc/config/<key> relative to the working dir, and runs scripts from volumes', async () => {
    const box = sandbox('cfg');
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cfg', namespace: 'default', uid: box.uid },
      spec: {
        volumes: [
          { name: 'config', configMap: { name: 'settings' } },
          { name: 'scripts', configMap: { name: 'settings', items: [{ key: 'run.sh', path: 'run.sh' }], defaultMode: 0o755 } },
        ],
        containers: [
          {
            name: 'c',
            image: 'busybox',
            volumeMounts: [
              { name: 'config', mountPath: '/etc/config' },
              { name: 'scripts', mountPath: '/scripts' },
            ],
          },
        ],
      },
    };
    const settings: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { color: 'blue', 'run.sh': '#!/bin/sh\necho "script sees $(cat etc/config/color)"\n' } };
    const paths = await prepareVolumes(pod, box.dir, { configMaps: new Map([['settings', settings]]), secrets: new Map() });
    const mounts = mountsFor((pod.spec as { containers: Array<Record<string, unknown>> }).containers[0]!, paths);

    const { lines, output } = sink();
    const cat = await runtime.startContainer(box, config({ command: ['cat', 'etc/config/color'], mounts }), output);
    assert.equal((await cat.exited).exitCode, 0);
    assert.deepEqual(lines, [{ stream: 'stdout', text: 'blue' }]);

    const scriptOutput = sink();
    const script = await runtime.startContainer(box, config({ name: 'script', command: ['/scripts/run.sh'], mounts }), scriptOutput.output);
    assert.equal((await script.exited).exitCode, 0);
    assert.deepEqual(scriptOutput.lines, [{ stream: 'stdout', text: 'script sees blue' }]);
  });

  it('copies a read-only subPath file into place, links writable volumes, and starts in workingDir', async () => {
    const box = sandbox('sub');
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sub', namespace: 'default', uid: box.uid },
      spec: { volumes: [{ name: 'conf', configMap: { name: 'conf' } }, { name: 'shared', emptyDir: {} }], containers: [] },
    };
    const conf: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'default' }, data: { 'default.conf': 'server {}' } };
    const paths = await prepareVolumes(pod, box.dir, { configMaps: new Map([['conf', conf]]), secrets: new Map() });
    const mounts = mountsFor(
      {
        name: 'c',
        volumeMounts: [
          { name: 'conf', mountPath: '/etc/nginx/conf.d/default.conf', subPath: 'default.conf' },
          { name: 'shared', mountPath: '/data' },
        ],
      },
      paths,
    );
    const { lines, output } = sink();
    const script = 'cat ../etc/nginx/conf.d/default.conf; echo; pwd -P; echo written > ../data/out; test -w ../etc/nginx/conf.d/default.conf && echo writable || echo read-only';
    const container = await runtime.startContainer(box, config({ command: ['sh', '-c', script], workingDir: '/app', mounts }), output);
    assert.equal((await container.exited).exitCode, 0);
    const root = join(box.dir, 'containers', 'c');
    const expectedMode = process.getuid?.() === 0 ? 'writable' : 'read-only'; // root may write anything
    assert.deepEqual(lines.map((l) => l.text), ['server {}', join(root, 'app'), expectedMode]);
    assert.equal(await readFile(join(paths.get('shared')!, 'out'), 'utf8'), 'written\n', 'a write through the mount reaches the volume');
    assert.equal((await stat(join(root, 'etc/nginx/conf.d/default.conf'))).mode & 0o222, 0, 'the copy has no write permission');
  });

  it('throws ImagePullError for an image it does not know', async () => {
    await assert.rejects(runtime.pullImage('example/does-not-exist:1.0'), (error: unknown) => {
      assert.ok(error instanceof ImagePullError);
      assert.match(error.message, /failed to pull and unpack image "example\/does-not-exist:1\.0".*not found/);
      return true;
    });
    await assert.rejects(runtime.startContainer(sandbox(), config({ image: 'nope' }), () => {}), ImagePullError);
    const info = await runtime.pullImage('nginx:1.27');
    assert.equal(info.image, 'nginx:1.27');
    assert.match(info.imageID, /^nginx@sha256:[0-9a-f]{64}$/);
  });

  it('throws ContainerStartError when the command cannot be found', async () => {
    await assert.rejects(runtime.startContainer(sandbox(), config({ command: ['no-such-binary-xyz'] }), () => {}), (error: unknown) => {
      assert.ok(error instanceof ContainerStartError);
      assert.equal(error.reason, 'RunContainerError');
      assert.match(error.message, /exec: "no-such-binary-xyz": executable file not found in \$PATH/);
      return true;
    });
  });

  it('reports the termination message the process wrote to dev/termination-log', async () => {
    const container = await runtime.startContainer(sandbox(), config({ command: ['sh', '-c', 'echo "disk full" > dev/termination-log; exit 1'] }), () => {});
    const exit = await container.exited;
    assert.equal(exit.message, 'disk full\n');
    assert.equal(exit.exitCode, 1);
  });

  it('removePod kills what still runs and removes the pod dir', async () => {
    const box = sandbox();
    const container = await runtime.startContainer(box, config({ image: 'pause' }), () => {});
    assert.ok((await stat(join(box.dir, 'containers', 'c'))).isDirectory());
    await runtime.removePod(box);
    const exit = await container.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(existsSync(box.dir), false);
    assert.equal(isAlive(container.pid!), false);
  });

  it('puts image programs on PATH: a shell in the python image finds python', async () => {
    const { lines, output } = sink();
    const container = await runtime.startContainer(sandbox(), config({ image: 'python:3.12', command: ['sh', '-c', 'python -c "print(6*7)"'] }), output);
    assert.equal((await container.exited).exitCode, 0);
    assert.deepEqual(lines, [{ stream: 'stdout', text: '42' }]);
    assert.match(await readFile(join(rootDir, 'images', 'python', 'bin', 'python'), 'utf8'), /^#!\/bin\/sh\nexec 'python3' "\$@"/);
  });
});
