// The dashboard's first screen for 1,000 pods, measured in a real Chromium: from the
// start of navigation to the 1,000th row on screen (the page, the list and the first
// render; the watch opens after). No kubelet or scheduler: the pods only need to exist.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import type { KubeObject } from '../../src/api/object.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const PODS = 1_000;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const pod = (i: number): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `load-${String(i).padStart(4, '0')}`, namespace: 'default', labels: { app: 'load' } },
    spec: { nodeName: 'node-x', containers: [{ name: 'main', image: 'busybox' }] },
  }) as KubeObject;

describe('the dashboard with 1,000 pods', { timeout: 60_000 }, () => {
  let cluster: HttpTestCluster;
  let context: BrowserContext;
  let userDataDir: string;

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), 'jetkube-chromium-'));
    [cluster, context] = await Promise.all([
      startHttpTestCluster(),
      chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } }),
    ]);
    for (let i = 0; i < PODS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, PODS - i) }, (_, j) => cluster.client.create('pods', pod(i + j))));
    }
  });
  after(async () => {
    await context?.close();
    await cluster?.dispose();
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('shows every pod in under a second from navigation', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    // Logged in already (the token in the session), so the measured load is the page's own.
    await page.addInitScript(`sessionStorage.setItem('jetkube.token', ${JSON.stringify(cluster.pki.adminToken)})`);
    // A first visit warms the browser's connection and TLS session, as a person's second look would be.
    await page.goto(`${cluster.url}/dashboard/#workloads`);
    await page.locator('#deployments').waitFor();
    await page.goto('about:blank');
    await page.goto(`${cluster.url}/dashboard/#pods`);
    await page.waitForFunction(`document.querySelectorAll('#pods tr[data-kind="pod"]').length === ${PODS}`, undefined, { timeout: 10_000, polling: 'raf' });
    const elapsedMs = (await page.evaluate('performance.now()')) as number;
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1000-pods.png') });
    // The marks say where the time went: the page built its HTML, then the DOM held it.
    console.log(JSON.stringify(await page.evaluate(`performance.getEntriesByType('mark').map((e) => [e.name, Math.round(e.startTime)])`)));
    console.log(`dashboard: ${PODS} pods on screen ${elapsedMs.toFixed(0)} ms after navigation`);
    assert.ok(elapsedMs < 1_000, `${PODS} pods took ${elapsedMs.toFixed(0)} ms to show`);
  });
});
