// The dashboard under RBAC in a real Chromium: a "dev" user (a static token bound to a Role
// in namespace dev) logs in, sees a 403 notice for all namespaces and for namespace
// default, their own pod in namespace dev, and a 403 for the timeline; the cluster admin
// then travels the timeline through every kind (a Role, grouped by kind, filtered by
// kind) and reads a past object as read-only YAML. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { KubeObject } from '../../src/api/object.ts';
import { startHttpTestCluster, type HttpTestCluster } from '../support/http-cluster.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const RBAC = 'rbac.authorization.k8s.io';
const DEV_TOKEN = 'dev-browser-token-0001';

describe('the dashboard under RBAC in Chromium', { timeout: 60_000 }, () => {
  let cluster: HttpTestCluster;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let roleRevision: number;
  const pageErrors: string[] = [];

  const logIn = async (token: string) => {
    await page.goto(`${cluster.url}/dashboard/`);
    await page.evaluate('sessionStorage.clear()');
    await page.goto(`${cluster.url}/dashboard/#pods`);
    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
    await page.locator('#view').waitFor();
  };
  const pickNamespace = async (namespace: string) => {
    await page.fill('#namespace', namespace);
    await page.press('#namespace', 'Enter');
  };

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    userDataDir = await mkdtemp(join(tmpdir(), 'jetkube-chromium-'));
    [cluster, context] = await Promise.all([
      startHttpTestCluster(),
      chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } }),
    ]);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await writeFile(join(cluster.dataDir, 'tokens.csv'), `${DEV_TOKEN},dev,u-dev\n`);
    const create = (resource: string, object: Record<string, unknown>) => cluster.client.create(resource, object as unknown as KubeObject);
    await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
    const role = await create(`roles.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: 'developer', namespace: 'dev' },
      rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'services', 'events'], verbs: ['get', 'list', 'watch'] }],
    });
    roleRevision = Number(role.metadata.resourceVersion);
    await create(`rolebindings.${RBAC}`, {
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { name: 'dev-is-developer', namespace: 'dev' },
      roleRef: { apiGroup: RBAC, kind: 'Role', name: 'developer' },
      subjects: [{ apiGroup: RBAC, kind: 'User', name: 'dev' }],
    });
    for (const namespace of ['dev', 'default']) {
      await create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `app-${namespace}`, namespace }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    }
  });
  after(async () => {
    await context?.close();
    await cluster?.dispose();
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('logs the dev in and shows a 403 for all namespaces and for another namespace, their own pod in theirs', async () => {
    await logIn(DEV_TOKEN);
    await page.locator('#whoami').filter({ hasText: /^dev$/ }).waitFor();
    // All namespaces at once is not theirs to list.
    await page.locator('#forbidden-pods').filter({ hasText: 'cannot list resource "pods"' }).waitFor();
    await pickNamespace('dev');
    await page.locator('#pods tr[data-name="app-dev"]').waitFor();
    assert.equal(await page.locator('#forbidden-pods').count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-rbac-dev-own-namespace.png') });
    await pickNamespace('default');
    const refused = page.locator('#forbidden-pods');
    await refused.filter({ hasText: 'in the namespace "default"' }).waitFor();
    assert.match((await refused.textContent())!, /403 Forbidden/);
    assert.match((await refused.textContent())!, /pick a namespace you have access to/);
    assert.equal(await page.locator('#pods tr[data-name="app-default"]').count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-rbac-dev-403.png') });
  });

  it('refuses the dev the timeline with a notice naming the permission', async () => {
    await page.click('nav button[data-tab="timeline"]');
    const refused = page.locator('#forbidden-timeline');
    await refused.filter({ hasText: 'cannot get path "/dashboard/api/timeline"' }).waitFor();
    assert.equal(await page.locator('#slider').count(), 0);
  });

  it('lets the admin travel through every kind, grouped and filtered by kind, read-only', async () => {
    await page.click('#logout');
    await logIn(cluster.pki.adminToken);
    await pickNamespace('');
    await page.click('nav button[data-tab="timeline"]');
    await page.locator('#slider').waitFor();
    // Grouped by kind: the newest revision's sections include kinds other than Deployments and pods.
    await page.locator(`#changes-by-kind button[data-pick-kind="roles.${RBAC}"]`).waitFor();
    await page.locator(`table[data-past-kind="roles.${RBAC}"] tr[data-name="developer"]`).waitFor();
    // Back to the Role's own revision, through the list of changes (kind filter first).
    await page.selectOption('#past-kind', `roles.${RBAC}`);
    await page.locator(`#changes tr[data-seq="${roleRevision}"] button[data-travel]`).click();
    await page.locator(`#past[data-revision="${roleRevision}"]`).waitFor();
    assert.equal(await page.locator('#past table').count(), 1, 'one kind shown when one is picked');
    await page.locator(`table[data-past-kind="roles.${RBAC}"] tr[data-name="developer"] button[data-past-yaml]`).click();
    await page.waitForFunction(`document.getElementById('yaml')?.value.includes('kind: Role')`);
    assert.equal(await page.locator('#yaml').getAttribute('readonly'), '');
    assert.equal(await page.locator('#yaml-save').count(), 0, 'the past has no save');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-rbac-admin-timeline.png') });
    assert.deepEqual(pageErrors, []);
  });
});
