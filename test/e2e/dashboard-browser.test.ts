// The dashboard in a real Chromium (Debian's, driven by playwright-core) against a whole
// cluster: nothing shows without a token; after login a Deployment scaled from 1 to 3
// shows 3 live (a watch, no reload); a pod's log follows new lines; dragging the
// timeline back shows the replica count the Deployment had then. Screenshots go to
// test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { KubeObject } from '../../src/api/object.ts';
import { eventually } from '../support/cluster.ts';
import { startNodeCluster, type NodeTestCluster } from '../support/node-cluster.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('the dashboard in Chromium', { timeout: 60_000 }, () => {
  let cluster: NodeTestCluster;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let revisionAtOne: number;
  // Script errors in the page, reported when a test fails.
  const pageErrors: string[] = [];

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), 'jetkube-chromium-'));
    [cluster, context] = await Promise.all([
      startNodeCluster(),
      chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } }),
    ]);
    browser = context.browser()!;
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    const created = await cluster.client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done'] }] },
        },
      },
    } as KubeObject);
    revisionAtOne = Number(created.metadata.resourceVersion);
  });
  after(async () => {
    await context?.close();
    void browser;
    await cluster?.dispose();
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('shows nothing without a token and refuses a wrong one', async () => {
    await page.goto(`${cluster.url}/dashboard/`);
    await page.locator('#login').waitFor();
    assert.equal(await page.locator('#view').isVisible(), false);
    const refused = await page.evaluate(async () => (await fetch('/dashboard/api/timeline')).status);
    assert.equal(refused, 401);
    await page.fill('#token', 'not-the-token');
    await page.click('#login button[type=submit]');
    await page.locator('#login-error').filter({ hasText: 'not accepted' }).waitFor();
    assert.equal(await page.locator('#view').isVisible(), false);
  });

  it('logs in and sees a Deployment scale from 1 to 3 live', async () => {
    await page.fill('#token', cluster.pki.adminToken);
    await page.click('#login button[type=submit]');
    const replicas = page.locator('#deployments tr[data-name="web"] td.replicas');
    await replicas.filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1-replica.png') });
    await cluster.client.patch('deployments.apps', 'default', 'web', { spec: { replicas: 3 } }, 'merge');
    await replicas.filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    // The pods follow, also live: three pods of web on the node.
    await page.click('nav button[data-tab="pods"]');
    await page.waitForFunction(`document.querySelectorAll('#pods tr[data-kind="pod"]').length === 3`, undefined, { timeout: 20_000 });
    await page.click('nav button[data-tab="workloads"]');
    await page.locator('#deployments tr[data-name="web"] td.ready').filter({ hasText: '3/3' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-3-replicas.png') });
  });

  it("opens a pod's logs and follows them", async () => {
    await page.click('nav button[data-tab="pods"]');
    const running = page.locator('#pods tr[data-kind="pod"]').filter({ hasText: 'Running' }).first();
    await running.waitFor({ timeout: 20_000 });
    await running.locator('button[data-logs]').click();
    const log = page.locator('#log');
    await log.filter({ hasText: 'tick 1' }).waitFor({ timeout: 10_000 });
    const seen = (await log.textContent())!.match(/tick (\d+)/g)!.length;
    // Following: lines written after the panel opened arrive without asking again.
    await page.waitForFunction(`(document.getElementById('log').textContent.match(/tick \\d+/g) ?? []).length >= ${seen + 5}`, undefined, { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-logs.png') });
    await page.click('#panel-close');
  });

  it('drags the timeline back and shows the earlier replica count', async () => {
    await page.click('nav button[data-tab="timeline"]');
    const slider = page.locator('#slider');
    await slider.waitFor();
    await page.locator('#past-deployments tr[data-name="web"] td.replicas').filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    const [min, max] = [Number(await slider.getAttribute('min')), Number(await slider.getAttribute('max'))];
    assert.ok(min <= revisionAtOne && revisionAtOne < max, `revision ${revisionAtOne} is on the timeline ${min}..${max}`);
    // Drag with the mouse to about the right place, then step with the keys to the exact revision.
    const box = (await slider.boundingBox())!;
    const x = (value: number) => box.x + ((value - min) / Math.max(1, max - min)) * box.width;
    await page.mouse.move(x(max), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(x(revisionAtOne), box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    let value = Number(await slider.inputValue());
    while (value !== revisionAtOne) {
      await slider.press(value > revisionAtOne ? 'ArrowLeft' : 'ArrowRight');
      value = Number(await slider.inputValue());
    }
    await page.locator(`#past[data-revision="${revisionAtOne}"]`).waitFor({ timeout: 10_000 });
    assert.equal((await page.locator('#past-deployments tr[data-name="web"] td.replicas').textContent())?.trim(), '1');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-timeline.png') });
  });

  it('edits an object as YAML through the API and sees the change live', async () => {
    await page.click('nav button[data-tab="workloads"]');
    await page.locator('#deployments tr[data-name="web"] button[data-yaml]').click();
    const yaml = page.locator('#yaml');
    await page.waitForFunction(`document.getElementById('yaml')?.value.includes('kind: Deployment')`);
    const text = await yaml.inputValue();
    // spec comes before status: the first "  replicas: 3" is the desired count.
    assert.match(text, /^ {2}replicas: 3$/m);
    await yaml.fill(text.replace(/^ {2}replicas: 3$/m, '  replicas: 2'));
    await page.click('#yaml-save');
    await page.locator('#yaml-result').filter({ hasText: 'saved' }).waitFor();
    await page.locator('#deployments tr[data-name="web"] td.replicas').filter({ hasText: /^2$/ }).waitFor({ timeout: 10_000 });
    const stored = await cluster.client.get('deployments.apps', 'default', 'web');
    assert.equal((stored.spec as { replicas: number }).replicas, 2);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-yaml.png') });
    assert.deepEqual(pageErrors.filter((e) => !/401|Failed to load resource/.test(e)), []);
  });

  it("shows each controller machine's state, as the controller manager publishes it", async () => {
    await page.click('nav button[data-tab="controllers"]');
    for (const name of ['deployment', 'replicaset', 'garbage-collector', 'node-lifecycle']) {
      const cell = page.locator(`#controller-states tr[data-controller="${name}"] td.state`);
      await cell.filter({ hasText: /^running/ }).first().waitFor({ timeout: 15_000 });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-controllers.png') });
  });

  it('lists the node Ready, and the services and events of the cluster', async () => {
    await page.click('nav button[data-tab="nodes"]');
    await page.locator(`#nodes tr[data-name="${cluster.nodeName}"] td.ok`).filter({ hasText: 'Ready' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-nodes.png') });
    await page.click('nav button[data-tab="services"]');
    await page.locator('#services td').filter({ hasText: /^kubernetes$/ }).waitFor();
    await page.click('nav button[data-tab="events"]');
    // The Deployment's scaling left events (ScalingReplicaSet) on the way.
    await page.locator('#events td').filter({ hasText: 'ScalingReplicaSet' }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-events.png') });
  });
});
