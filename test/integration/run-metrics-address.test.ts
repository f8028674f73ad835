/**
 * `jetkube run controller-manager|scheduler --metrics-address HOST:PORT`: a component run
 * alone serves /metrics there, as kube-controller-manager (10257) and kube-scheduler (10259)
 * do, so an operator (and the scale run) can read its work queues and scheduling attempts.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, it } from 'node:test';
import { freePort, PROJECT_ROOT } from '../../src/natsd/server.ts';
import { startApiServer, stopApiServer, eventually } from '../support/cluster.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
let apiServer: Awaited<ReturnType<typeof startApiServer>>;
const children: ChildProcess[] = [];

function runAlone(component: string, metricsPort: number): void {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', component, '--nats-url', nats.url, '--metrics-address', `127.0.0.1:${metricsPort}`], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  children.push(child);
}

async function metricsText(port: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

before(async () => {
  nats = await startTestNats();
  apiServer = await startApiServer(nats.url);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopApiServer(apiServer);
  await nats.dispose();
});

it('the controller manager serves its work queues at --metrics-address once it leads', async () => {
  const port = await freePort();
  runAlone('controller-manager', port);
  const text = await eventually(async () => {
    const body = await metricsText(port);
    return body && /^workqueue_adds_total\{name="namespace"\}/m.test(body) ? body : undefined;
  }, 60_000, 'workqueue metrics of the namespace controller');
  assert.match(text, /^workqueue_depth\{name="deployment"\} \d+/m);
});

it('the scheduler serves its metrics at --metrics-address', async () => {
  const port = await freePort();
  runAlone('scheduler', port);
  const text = await eventually(async () => {
    const body = await metricsText(port);
    return body && /scheduler_pending_pods/.test(body) ? body : undefined;
  }, 60_000, 'scheduler metrics');
  assert.match(text, /^# TYPE scheduler_schedule_attempts_total counter/m);
});
