// The "done when" of the observability issue, as a new user lives it: `npm start` (jetkube up,
// with its own data dir and ports so it runs beside other clusters) prints the dashboard
// URL and the admin token; Chromium opens that URL, logs in with that token, watches a
// Deployment scale from 1 to 3 live, and drags the timeline back to the revision where it
// had 1 replica. Ctrl-C (SIGINT to the process group) then stops the whole cluster.
// Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { KUBECTL } from '../support/http-cluster.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the whole output so far once `pattern` matches it; rejects if the process exits first. */
function waitForOutput(child: ChildProcess, read: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${pattern} in ${timeoutMs} ms; output:\n${read()}`)), timeoutMs);
    const check = () => {
      const match = read().match(pattern);
      if (match) finish(undefined, match);
    };
    const exited = (code: number | null) => finish(new Error(`jetkube up exited (${code}) before printing ${pattern}:\n${read()}`));
    const finish = (error?: Error, match?: RegExpMatchArray) => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', exited);
      if (error) reject(error);
      else resolve(match!);
    };
    child.stdout!.on('data', check);
    child.once('exit', exited);
    check();
  });
}

describe('npm start, then the printed dashboard URL and token', { timeout: 180_000 }, () => {
  let dataDir: string;
  let userDataDir: string;
  let up: ChildProcess;
  let output = '';
  let context: BrowserContext;
  let page: Page;
  let dashboardUrl: string;
  let token: string;
  let kubeconfig: string;
  let revisionAtOne: number;

  const kubectl = (...args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dataDir, 'kube-cache'), ...args], { timeout: 30_000, env: { ...process.env, HOME: dataDir } }, (error, stdout, stderr) =>
        error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      ),
    );

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'jetkube-up-'));
    userDataDir = await mkdtemp(join(tmpdir(), 'jetkube-chromium-'));
    const [natsPort, apiPort] = [await freePort(), await freePort()];
    // Exactly what a new user types, plus the flags that let it run beside other clusters.
    up = spawn('npm', ['start', '--', '--data-dir', dataDir, '--nats-url', `nats://127.0.0.1:${natsPort}`, '--api-address', `127.0.0.1:${apiPort}`, '--ingress-address', 'none'], {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: SIGINT to the group is Ctrl-C
    });
    up.stdout!.setEncoding('utf8');
    up.stderr!.setEncoding('utf8');
    up.stdout!.on('data', (chunk: string) => (output += chunk));
    up.stderr!.on('data', (chunk: string) => (output += chunk));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await context?.close();
    if (up && up.exitCode === null) {
      const exited = once(up, 'exit');
      process.kill(-up.pid!, 'SIGINT');
      const timer = setTimeout(() => process.kill(-up.pid!, 'SIGKILL'), 40_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('prints the dashboard URL and the admin token', async () => {
    const [, url, printedToken] = await waitForOutput(up, () => output, /Dashboard:\s+(https:\/\/\S+\/dashboard\/) \(log in with the admin token: (\S+)\)/, 120_000);
    dashboardUrl = url!;
    token = printedToken!;
    kubeconfig = (await waitForOutput(up, () => output, /kubeconfig:\s+(\S+) \(admin/, 1_000))[1]!;
    assert.match(dashboardUrl, /^https:\/\/127\.0\.0\.1:\d+\/dashboard\/$/);
    assert.ok(token.length >= 16, 'a real token');
  });

  it('logs in with the printed token and sees a Deployment scale from 1 to 3 live', async () => {
    await page.goto(dashboardUrl);
    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
    await page.locator('#deployments').waitFor();
    await kubectl('create', 'deployment', 'web', '--image=busybox', '--', 'sh', '-c', 'while true; do sleep 1; done');
    const replicas = page.locator('#deployments tr[data-name="web"] td.replicas');
    await replicas.filter({ hasText: /^1$/ }).waitFor();
    revisionAtOne = Number(JSON.parse(await kubectl('get', 'deployment', 'web', '-o', 'json')).metadata.resourceVersion);
    await page.screenshot({ path: join(ARTIFACTS, 'jetkube-up-1-replica.png') });
    await kubectl('scale', 'deployment', 'web', '--replicas=3');
    await replicas.filter({ hasText: /^3$/ }).waitFor();
    await page.locator('#deployments tr[data-name="web"] td.ready').filter({ hasText: '3/3' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'jetkube-up-3-replicas.png') });
  });

  it('drags the timeline back to the revision with 1 replica', async () => {
    await page.click('nav button[data-tab="timeline"]');
    const slider = page.locator('#slider');
    await slider.waitFor();
    await page.locator('#past-deployments tr[data-name="web"] td.replicas').filter({ hasText: /^3$/ }).waitFor();
    const [min, max] = [Number(await slider.getAttribute('min')), Number(await slider.getAttribute('max'))];
    assert.ok(min <= revisionAtOne && revisionAtOne < max, `revision ${revisionAtOne} is on the timeline ${min}..${max}`);
    const box = (await slider.boundingBox())!;
    const x = (revision: number) => box.x + ((revision - min) / (max - min)) * box.width;
    await page.mouse.move(x(max), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(x(revisionAtOne), box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    let value = Number(await slider.inputValue());
    while (value !== revisionAtOne) {
      await slider.press(value > revisionAtOne ? 'ArrowLeft' : 'ArrowRight');
      value = Number(await slider.inputValue());
    }
    await page.locator(`#past[data-revision="${revisionAtOne}"]`).waitFor();
    assert.equal((await page.locator('#past-deployments tr[data-name="web"] td.replicas').textContent())?.trim(), '1');
    await page.screenshot({ path: join(ARTIFACTS, 'jetkube-up-timeline.png') });
  });
});
