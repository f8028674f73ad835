// The jetkube dashboard: plain DOM, no build step. Everything live comes from the
// Kubernetes API with the user's bearer token (list, then watch over a streamed fetch);
// the past comes from /dashboard/api/ (the cluster folded at a revision).

const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Every live kind: its list path, and for namespaced kinds their group version's path (a namespace narrows the list). */
const KINDS = {
  namespaces: { path: '/api/v1/namespaces' },
  nodes: { path: '/api/v1/nodes' },
  deployments: { path: '/apis/apps/v1/deployments', api: '/apis/apps/v1' },
  pods: { path: '/api/v1/pods', api: '/api/v1' },
  services: { path: '/api/v1/services', api: '/api/v1' },
  events: { path: '/api/v1/events', api: '/api/v1' },
  leases: { path: '/apis/coordination.k8s.io/v1/leases', api: '/apis/coordination.k8s.io/v1' },
};
/** The list path of a kind in the picked namespace (all namespaces when none is picked). */
const listPath = (kind) => (KINDS[kind].api && state.namespace ? `${KINDS[kind].api}/namespaces/${encodeURIComponent(state.namespace)}/${kind}` : KINDS[kind].path);
const TABS = ['workloads', 'pods', 'nodes', 'services', 'events', 'timeline', 'controllers'];
/**
 * What each tab watches. A browser opens at most six HTTP/1.1 connections to one server
 * and every watch holds one: only the namespaces and the open tab's kinds are watched,
 * which leaves room for a followed log and the timeline's requests.
 */
const TAB_KINDS = { workloads: ['deployments'], pods: ['pods'], nodes: ['nodes'], services: ['services'], events: ['events'], timeline: [], controllers: ['leases'] };

const state = { token: sessionStorage.getItem('jetkube.token') ?? '', tab: 'workloads', namespace: sessionStorage.getItem('jetkube.namespace') ?? '', objects: {}, watches: [], nodeUsage: new Map(), forbidden: {} };
for (const kind of Object.keys(KINDS)) state.objects[kind] = new Map();

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { Authorization: `Bearer ${state.token}`, Accept: 'application/json', ...(init.headers ?? {}) } });
  if (res.status === 401 && !$('view').hidden) logOut();
  return res;
}

function logOut() {
  sessionStorage.removeItem('jetkube.token');
  location.reload();
}

/** A refusal of the API (a Status), with its code: 403s are shown as such, not as failures. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function apiJson(path, init) {
  const res = await api(path, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.message ?? `${res.status} ${res.statusText}`);
  return body;
}

/** A 403 as the page shows it: what the API said, and what to do about it. */
function forbiddenNotice(id, message, hint) {
  return `<div class="forbidden" id="${esc(id)}"><strong>403 Forbidden</strong> <span class="message">${esc(message)}</span>${hint ? `<p class="muted">${esc(hint)}</p>` : ''}</div>`;
}

const keyOf = (o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

// ---- live data: list, then watch from the list's revision; relist when a watch ends.
function follow(kind) {
  const controller = new AbortController();
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const base = listPath(kind);
        const list = await apiJson(base, { signal: controller.signal });
        const map = new Map();
        for (const item of list.items) map.set(keyOf(item), item);
        state.objects[kind] = map;
        delete state.forbidden[kind];
        render();
        const path = `${base}?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`;
        await streamLines(path, controller.signal, (event) => applyEvent(kind, event));
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 403) {
          // Not allowed: say so and stop asking; picking another namespace asks again.
          state.forbidden[kind] = error.message;
          state.objects[kind] = new Map();
          render();
          return;
        }
        console.warn(kind, error);
      }
      // The watch ended (a timeout, a restart): back off a moment, then relist.
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return controller;
}

/** GET a stream of JSON lines (a watch), calling onLine with each, until it ends. */
async function streamLines(path, signal, onLine) {
  const res = await api(path, { signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, (await res.json().catch(() => ({}))).message ?? `${path}: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim()) onLine(JSON.parse(line));
    }
  }
}

/** The controller managers' machine states, live from /dashboard/api/controllers?watch=1. */
function followControllerStates() {
  const controller = new AbortController();
  const run = async () => {
    while (!controller.signal.aborted) {
      const refused = await streamLines('/dashboard/api/controllers?watch=1', controller.signal, (message) => {
        state.controllerStates = message.items;
        render();
      }).then(
        () => false,
        (error) => {
          if (error instanceof ApiError && error.status === 403) {
            state.forbidden.controllers = error.message;
            render();
            return true;
          }
          if (!controller.signal.aborted) console.warn(error);
          return false;
        },
      );
      if (refused) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return controller;
}

function applyEvent(kind, event) {
  if (event.type === 'BOOKMARK') return;
  if (event.type === 'ERROR') throw new Error(event.object?.message ?? 'watch error');
  const map = state.objects[kind];
  if (event.type === 'DELETED') map.delete(keyOf(event.object));
  else map.set(keyOf(event.object), event.object);
  render();
}

// ---- rendering, at most once a frame however many events arrive.
let scheduled = false;
function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    draw();
  });
}

function inNamespace(o) {
  return !state.namespace || o.metadata.namespace === state.namespace;
}
const sorted = (kind) => [...state.objects[kind].values()].filter(inNamespace).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

function age(ts) {
  if (!ts) return '';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
}

function table(headers, rows, attrs = '') {
  // Fixed layout takes column widths from the header: names and messages get the room.
  const width = (h) => (h === 'name' || h === 'message' || h === 'lease' || h === 'holder' ? ' class="wide"' : h === '' ? ' class="actions"' : '');
  return `<table ${attrs}><thead><tr>${headers.map((h) => `<th${width(h)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const yamlButton = (kind, o) => `<button class="link" data-yaml="${esc(kind)}" data-ns="${esc(o.metadata.namespace ?? '')}" data-name="${esc(o.metadata.name)}">yaml</button>`;

function rolloutState(d) {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return ['progressing', 'warn'];
  if ((s.updatedReplicas ?? 0) < want) return ['rolling out', 'warn'];
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return ['old replicas terminating', 'warn'];
  if ((s.availableReplicas ?? 0) < want) return ['waiting for available', 'warn'];
  return ['complete', 'ok'];
}

function deploymentRows(list, live) {
  return list.map((d) => {
    const s = d.status ?? {};
    const [rollout, cls] = rolloutState(d);
    return `<tr data-kind="deployment" data-name="${esc(d.metadata.name)}"><td>${esc(d.metadata.namespace)}</td><td>${esc(d.metadata.name)}</td><td class="ready">${s.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}</td><td class="replicas">${d.spec?.replicas ?? 1}</td><td>${s.updatedReplicas ?? 0}</td><td>${s.availableReplicas ?? 0}</td><td class="${cls}">${rollout}</td><td>${esc((d.spec?.template?.spec?.containers ?? []).map((c) => c.image).join(', '))}</td><td>${live ? yamlButton('deployments', d) : ''}</td></tr>`;
  });
}
const DEPLOYMENT_HEADERS = ['namespace', 'name', 'ready', 'replicas', 'up-to-date', 'available', 'rollout', 'images', ''];

function podStatus(p) {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason && p.status.phase === 'Running') return c.state.terminated.reason;
  }
  return p.status?.phase ?? 'Pending';
}

function podRows(list, live) {
  return list.map((p) => {
    const cs = p.status?.containerStatuses ?? [];
    const ready = cs.filter((c) => c.ready).length;
    const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
    const status = podStatus(p);
    const cls = status === 'Running' || status === 'Succeeded' ? 'ok' : status === 'Pending' || status === 'ContainerCreating' ? 'warn' : 'bad';
    const actions = live
      ? `<button class="link" data-logs="${esc(p.metadata.namespace)}/${esc(p.metadata.name)}">logs</button>${yamlButton('pods', p)}`
      : '';
    return `<tr data-kind="pod" data-name="${esc(p.metadata.name)}"><td>${esc(p.metadata.namespace)}</td><td>${esc(p.metadata.name)}</td><td>${ready}/${(p.spec?.containers ?? []).length}</td><td class="${cls}">${esc(status)}</td><td>${restarts}</td><td>${esc(p.spec?.nodeName ?? '')}</td><td>${esc(p.status?.podIP ?? '')}</td><td>${age(p.metadata.creationTimestamp)}</td><td>${actions}</td></tr>`;
  });
}
const POD_HEADERS = ['namespace', 'name', 'ready', 'status', 'restarts', 'node', 'IP', 'age', ''];

/** The notice for a kind the API refused to list, or "". */
function refusal(kind) {
  const message = state.forbidden[kind];
  if (!message) return '';
  const hint = KINDS[kind].api
    ? state.namespace
      ? `You may not list ${kind} in namespace ${state.namespace}: pick a namespace you have access to.`
      : `You may not list ${kind} in all namespaces: type the namespace you work in into the namespace box.`
    : `You may not list ${kind}, which belong to no namespace.`;
  return forbiddenNotice(`forbidden-${kind}`, message, hint);
}

const VIEWS = {
  workloads: () => `<h2>Deployments</h2>${refusal('deployments')}${table(DEPLOYMENT_HEADERS, deploymentRows(sorted('deployments'), true), 'id="deployments"')}`,
  pods: () => {
    const pods = sorted('pods');
    return `<h2>Pods (${pods.length})</h2>${refusal('pods')}${table(POD_HEADERS, podRows(pods, true), 'id="pods"')}`;
  },
  nodes: () => {
    const rows = [...state.objects.nodes.values()].map((n) => {
      const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const usage = state.nodeUsage.get(n.metadata.name);
      const alloc = n.status?.allocatable ?? {};
      return `<tr data-kind="node" data-name="${esc(n.metadata.name)}"><td>${esc(n.metadata.name)}</td><td class="${ready?.status === 'True' ? 'ok' : 'bad'}">${ready?.status === 'True' ? 'Ready' : 'NotReady'}</td><td>${esc(usage?.cpu ?? '')}</td><td>${esc(alloc.cpu ?? '')}</td><td>${esc(usage?.memory ?? '')}</td><td>${esc(alloc.memory ?? '')}</td><td>${esc(n.status?.nodeInfo?.kubeletVersion ?? '')}</td><td>${age(n.metadata.creationTimestamp)}</td><td>${yamlButton('nodes', n)}</td></tr>`;
    });
    return `<h2>Nodes</h2><p class="muted">Usage from metrics.k8s.io, read when this tab opens.</p>${refusal('nodes')}${table(['name', 'status', 'cpu used', 'cpu allocatable', 'memory used', 'memory allocatable', 'version', 'age', ''], rows, 'id="nodes"')}`;
  },
  services: () => {
    const rows = sorted('services').map((s) => `<tr><td>${esc(s.metadata.namespace)}</td><td>${esc(s.metadata.name)}</td><td>${esc(s.spec?.type ?? 'ClusterIP')}</td><td>${esc(s.spec?.clusterIP ?? '')}</td><td>${esc((s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(','))}</td><td>${age(s.metadata.creationTimestamp)}</td><td>${yamlButton('services', s)}</td></tr>`);
    return `<h2>Services</h2>${refusal('services')}${table(['namespace', 'name', 'type', 'cluster IP', 'ports', 'age', ''], rows, 'id="services"')}`;
  },
  events: () => {
    const events = sorted('events').sort((a, b) => (b.lastTimestamp ?? b.eventTime ?? '').localeCompare(a.lastTimestamp ?? a.eventTime ?? '')).slice(0, 500);
    const rows = events.map((e) => `<tr><td>${age(e.lastTimestamp ?? e.eventTime)}</td><td class="${e.type === 'Warning' ? 'warn' : ''}">${esc(e.type)}</td><td>${esc(e.reason)}</td><td>${esc(`${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`)}</td><td>${esc(e.message)}</td></tr>`);
    return `<h2>Events</h2>${refusal('events')}${table(['last seen', 'type', 'reason', 'object', 'message'], rows, 'id="events"')}`;
  },
  controllers: () => {
    const machines = (state.controllerStates ?? []).flatMap((m) =>
      m.controllers.map((c) => `<tr data-controller="${esc(c.name)}"><td>${esc(m.identity)}</td><td>${esc(m.manager)}</td><td>${esc(c.name)}</td><td class="state ${c.state.startsWith('running') ? 'ok' : 'warn'}">${esc(c.state)}</td><td>${age(new Date(m.time).toISOString())}</td></tr>`),
    );
    const refused = state.forbidden.controllers ? forbiddenNotice('forbidden-controllers', state.forbidden.controllers, 'The controller machines need get on the non-resource URL /dashboard/api/controllers.') : '';
    const managers = `<h2>Controller machines</h2><p class="muted">Each controller's XState machine state, as its controller manager publishes it.</p>${refused}${table(['manager', 'manager state', 'controller', 'state', 'reported'], machines, 'id="controller-states"')}`;
    return managers + leasesView();
  },
  timeline: () => timelineView(),
};

function leasesView() {
  const rows = [...state.objects.leases.values()].map((l) => `<tr><td>${esc(l.metadata.namespace)}</td><td>${esc(l.metadata.name)}</td><td>${esc(l.spec?.holderIdentity ?? '')}</td><td>${age(l.spec?.renewTime)}</td><td>${l.spec?.leaseDurationSeconds ?? ''}s</td></tr>`);
  return `<h2>Leases</h2><p class="muted">Leader-election and node Leases, live: who leads each component and when it last renewed.</p>${refusal('leases')}${table(['namespace', 'lease', 'holder', 'renewed', 'duration'], rows, 'id="leases"')}`;
}

function draw() {
  if ($('view').hidden) return;
  refreshNamespaces();
  if (state.tab === 'timeline') return; // drawn by its own controls, read-only
  const html = VIEWS[state.tab]();
  performance.mark('jetkube:built');
  $('view').innerHTML = html;
  performance.mark('jetkube:drawn');
}

// ---- the timeline: a slider over the log's revisions; the cluster as it was at one, every kind.
const past = { timeline: undefined, revision: undefined, request: 0, kind: '', snapshot: undefined };

/** "deployments.apps" -> "deployments", the name the page gives a store key. */
const kindLabel = (key) => key.split('.')[0];

function timelineView() {
  const t = past.timeline;
  if (!t) return '<p>Reading the event log…</p>';
  const at = past.revision ?? t.lastSeq;
  return `<h2>Timeline</h2>
  <p>Revisions ${t.firstSeq}–${t.lastSeq} of the event log. Drag to see the cluster as it was (read-only).</p>
  <input id="slider" type="range" min="${Math.max(1, t.firstSeq)}" max="${t.lastSeq}" value="${at}">
  <p>At revision <strong id="revision">${at}</strong> <span id="revision-time" class="muted"></span> <span id="revision-change"></span></p>
  <p><label>kind <select id="past-kind"><option value="">all kinds</option></select></label> <span class="muted">namespace: the picker above</span></p>
  <div class="timeline-panes"><div id="past" class="past"></div><div id="changes-pane"></div></div>`;
}

async function openTimeline() {
  try {
    past.timeline = await apiJson('/dashboard/api/timeline');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) throw error;
    $('view').innerHTML = `<h2>Timeline</h2>${forbiddenNotice('forbidden-timeline', error.message, 'Time travel reads every object of every namespace as it was: it needs get on the non-resource URL /dashboard/api/timeline (cluster-admin has it).')}`;
    return;
  }
  $('view').innerHTML = timelineView();
  const slider = $('slider');
  let pending;
  slider.addEventListener('input', () => {
    $('revision').textContent = slider.value;
    clearTimeout(pending);
    pending = setTimeout(() => void showPast(Number(slider.value)), 120);
  });
  slider.addEventListener('change', () => {
    clearTimeout(pending);
    void showPast(Number(slider.value));
  });
  $('past-kind').addEventListener('change', (e) => {
    past.kind = e.target.value;
    void showPast(past.revision ?? past.timeline.lastSeq);
  });
  await showPast(past.revision ?? past.timeline.lastSeq);
}

/** Moves the slider (and the view) to a revision, as a drag would. */
function travelTo(revision) {
  const slider = $('slider');
  if (!slider) return;
  slider.value = String(revision);
  void showPast(revision);
}

async function showPast(revision) {
  const request = ++past.request;
  past.revision = revision;
  const query = new URLSearchParams({ revision: String(revision) });
  if (past.kind) query.append('kind', past.kind);
  if (state.namespace) query.set('namespace', state.namespace);
  const snapshot = await apiJson(`/dashboard/api/state?${query}`);
  if (request !== past.request) return; // a newer drag won
  past.snapshot = snapshot;
  const row = past.timeline.rows.find((r) => r.seq === revision);
  $('revision').textContent = String(snapshot.revision);
  $('revision-time').textContent = snapshot.time ? new Date(snapshot.time).toISOString() : '';
  $('revision-change').textContent = row ? `${row.type} ${row.resource} ${row.namespace ? `${row.namespace}/` : ''}${row.name}` : '';
  const kinds = Object.keys(snapshot.kinds).sort();
  if (past.kind && !kinds.includes(past.kind)) kinds.push(past.kind);
  $('past-kind').innerHTML = `<option value="">all kinds</option>${kinds.map((k) => `<option value="${esc(k)}"${k === past.kind ? ' selected' : ''}>${esc(k)} (${snapshot.kinds[k] ?? 0})</option>`).join('')}`;
  // Grouped by kind: Deployments and pods as their live tabs show them, every other kind by name.
  const sections = Object.keys(snapshot.objects).sort((a, b) => pastOrder(a) - pastOrder(b) || a.localeCompare(b)).map((key) => pastSection(key, snapshot.objects[key], snapshot.revision));
  $('past').innerHTML = sections.join('') || `<p class="muted">No objects${state.namespace ? ` in namespace ${esc(state.namespace)}` : ''} at revision ${snapshot.revision}.</p>`;
  $('past').dataset.revision = String(snapshot.revision);
  $('changes-pane').innerHTML = changesView(snapshot.revision);
}

const PAST_FIRST = ['deployments.apps', 'pods'];
const pastOrder = (key) => (PAST_FIRST.includes(key) ? PAST_FIRST.indexOf(key) : PAST_FIRST.length);

function pastSection(key, objects, revision) {
  const at = `at revision ${revision}`;
  if (key === 'deployments.apps') return `<h2>Deployments ${at}</h2>${table(DEPLOYMENT_HEADERS, deploymentRows(objects, false), 'id="past-deployments"')}`;
  if (key === 'pods') return `<h2>Pods ${at} (${objects.length})</h2>${table(POD_HEADERS, podRows(objects, false), 'id="past-pods"')}`;
  const rows = objects.map(
    (o) =>
      `<tr data-name="${esc(o.metadata.name)}"><td>${esc(o.metadata.namespace ?? '')}</td><td>${esc(o.metadata.name)}</td><td>${esc(o.metadata.resourceVersion ?? '')}</td><td>${esc(o.metadata.creationTimestamp ?? '')}</td><td><button class="link" data-past-yaml="${esc(key)}" data-ns="${esc(o.metadata.namespace ?? '')}" data-name="${esc(o.metadata.name)}">yaml</button></td></tr>`,
  );
  return `<h2 data-kind-heading="${esc(key)}">${esc(kindLabel(key))} ${at} (${objects.length}) <span class="muted">${esc(key)}</span></h2>${table(['namespace', 'name', 'written at', 'created', ''], rows, `id="past-${esc(key.replace(/\./g, '-'))}" data-past-kind="${esc(key)}"`)}`;
}

/** The log's changes up to the revision, grouped by kind (counts), then the newest ones, both filtered like the view. */
function changesView(revision) {
  const wanted = (r) => r.seq <= revision && (!past.kind || r.resource === past.kind) && (!state.namespace || r.namespace === state.namespace);
  const rows = past.timeline.rows.filter(wanted);
  const byKind = new Map();
  for (const r of rows) byKind.set(r.resource, (byKind.get(r.resource) ?? 0) + 1);
  const groups = [...byKind].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `<tr><td><button class="link" data-pick-kind="${esc(kind)}">${esc(kind)}</button></td><td>${n}</td></tr>`);
  const newest = rows.slice(-40).reverse().map(
    (r) => `<tr data-seq="${r.seq}"><td><button class="link" data-travel="${r.seq}">${r.seq}</button></td><td class="${r.type === 'DELETED' ? 'bad' : r.type === 'ADDED' ? 'ok' : ''}">${esc(r.type)}</td><td>${esc(r.resource)}</td><td>${esc(r.namespace === '_' ? '' : r.namespace)}</td><td>${esc(r.name)}</td></tr>`,
  );
  return `<h2>Changes by kind</h2>${table(['kind', 'changes'], groups, 'id="changes-by-kind"')}<h2>Latest changes up to ${revision}</h2>${table(['revision', 'type', 'kind', 'namespace', 'name'], newest, 'id="changes"')}`;
}

/** A past object as YAML, read-only: the past is not edited. */
async function openPastYaml(key, namespace, name) {
  const YAML = await import('yaml');
  const object = (past.snapshot?.objects[key] ?? []).find((o) => (o.metadata.namespace ?? '') === namespace && o.metadata.name === name);
  openPanel(`${key} ${namespace ? `${namespace}/` : ''}${name} at revision ${past.snapshot?.revision} (read-only)`);
  $('panel-body').innerHTML = '<textarea id="yaml" spellcheck="false" readonly></textarea>';
  $('yaml').value = object ? YAML.stringify(object) : 'not found';
}

// ---- side panel: a container's log (followed) or an object's YAML (view and edit).
let panelAbort;
function openPanel(title) {
  panelAbort?.abort();
  panelAbort = new AbortController();
  $('panel').hidden = false;
  $('panel-title').textContent = title;
  $('panel-actions').innerHTML = '';
  return panelAbort.signal;
}

async function openLogs(namespace, name) {
  const signal = openPanel(`logs ${namespace}/${name}`);
  const pod = state.objects.pods.get(`${namespace}/${name}`);
  const containers = (pod?.spec?.containers ?? []).map((c) => c.name);
  $('panel-actions').innerHTML = containers.length > 1 ? `<select id="log-container">${containers.map((c) => `<option>${esc(c)}</option>`).join('')}</select>` : '';
  const stream = async (container) => {
    $('panel-body').innerHTML = '<pre id="log"></pre>';
    const out = $('log');
    const res = await api(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?follow=true&tailLines=1000${container ? `&container=${encodeURIComponent(container)}` : ''}`, { signal });
    if (!res.ok) return void (out.textContent = (await res.json().catch(() => ({}))).message ?? `${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      out.append(value);
      if (atBottom) out.scrollTop = out.scrollHeight;
    }
  };
  $('log-container')?.addEventListener('change', (e) => void stream(e.target.value).catch(() => {}));
  await stream(containers.length > 1 ? containers[0] : undefined).catch((e) => { if (!signal.aborted) console.warn(e); });
}

function objectPath(kind, namespace, name) {
  const base = KINDS[kind]?.api ?? '/api/v1';
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}` : `${KINDS[kind].path}/${encodeURIComponent(name)}`;
}

async function openYaml(kind, namespace, name) {
  // The YAML library loads when first needed: the first screen needs none of it.
  const YAML = await import('yaml');
  openPanel(`${kind} ${namespace ? `${namespace}/` : ''}${name}`);
  const path = objectPath(kind, namespace, name);
  const object = await apiJson(path);
  $('panel-actions').innerHTML = '<button id="yaml-save">save</button> <span id="yaml-result"></span>';
  $('panel-body').innerHTML = '<textarea id="yaml" spellcheck="false"></textarea>';
  $('yaml').value = YAML.stringify(object);
  $('yaml-save').addEventListener('click', async () => {
    try {
      const edited = YAML.parse($('yaml').value);
      const saved = await apiJson(path, { method: 'PUT', body: JSON.stringify(edited), headers: { 'Content-Type': 'application/json' } });
      $('yaml').value = YAML.stringify(saved);
      $('yaml-result').textContent = `saved (revision ${saved.metadata.resourceVersion})`;
      $('yaml-result').className = 'ok';
    } catch (error) {
      $('yaml-result').textContent = error.message;
      $('yaml-result').className = 'error';
    }
  });
}

// ---- navigation and login.
async function selectTab(tab) {
  state.tab = tab;
  history.replaceState(null, '', `#${tab}`);
  for (const watch of state.watches.splice(0)) watch.abort();
  for (const kind of TAB_KINDS[tab]) {
    state.objects[kind] = new Map();
    state.watches.push(follow(kind));
  }
  if (tab === 'controllers') state.watches.push(followControllerStates());
  for (const b of $('tabs').children) b.classList.toggle('active', b.dataset.tab === tab);
  if (tab === 'timeline') return openTimeline().catch((e) => ($('view').innerHTML = `<p class="error">${esc(e.message)}</p>`));
  draw();
  if (tab === 'nodes') {
    const metrics = await apiJson('/apis/metrics.k8s.io/v1beta1/nodes').catch(() => ({ items: [] }));
    state.nodeUsage = new Map(metrics.items.map((m) => [m.metadata.name, m.usage]));
    draw();
  }
}

function start() {
  $('login').hidden = true;
  $('view').hidden = false;
  for (const id of ['tabs', 'ns-pick', 'logout', 'whoami']) $(id).hidden = false;
  $('tabs').innerHTML = TABS.map((t) => `<button data-tab="${t}">${t}</button>`).join('');
  $('namespace').value = state.namespace;
  void showUser();
  follow('namespaces');
  const linked = location.hash.slice(1);
  void selectTab(TABS.includes(linked) ? linked : state.tab);
}

/** Who the token is (SelfSubjectReview: every authenticated user may ask), shown in the header. */
async function showUser() {
  const review = await apiJson('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    headers: { 'Content-Type': 'application/json' },
  }).catch(() => undefined);
  $('whoami').textContent = review?.status?.userInfo?.username ?? '';
}

/**
 * The namespace box suggests the namespaces the user may list; one who may not (a user
 * of one namespace) types theirs.
 */
function refreshNamespaces() {
  const names = [...state.objects.namespaces.values()].map((n) => n.metadata.name).sort();
  const list = $('namespace-list');
  const have = [...list.options].map((o) => o.value);
  if (names.join() === have.join()) return;
  list.innerHTML = names.map((n) => `<option value="${esc(n)}"></option>`).join('');
}

function pickNamespace(value) {
  const namespace = value.trim();
  if (namespace === state.namespace) return;
  state.namespace = namespace;
  sessionStorage.setItem('jetkube.namespace', namespace);
  if (state.tab === 'timeline') {
    if (past.revision !== undefined) void showPast(past.revision);
  } else void selectTab(state.tab); // lists and watches narrow to the namespace (or widen back)
}
document.addEventListener('click', (e) => {
  const t = e.target;
  if (!(t instanceof HTMLElement)) return;
  if (t.dataset.tab) void selectTab(t.dataset.tab);
  else if (t.dataset.logs) {
    const [ns, name] = t.dataset.logs.split('/');
    void openLogs(ns, name);
  } else if (t.dataset.yaml) void openYaml(t.dataset.yaml, t.dataset.ns, t.dataset.name).catch((err) => ($('panel-body').textContent = err.message));
  else if (t.dataset.pastYaml) void openPastYaml(t.dataset.pastYaml, t.dataset.ns, t.dataset.name);
  else if (t.dataset.travel) travelTo(Number(t.dataset.travel));
  else if (t.dataset.pickKind !== undefined) {
    past.kind = t.dataset.pickKind;
    void showPast(past.revision ?? past.timeline.lastSeq);
  }
  else if (t.id === 'panel-close') {
    panelAbort?.abort();
    $('panel').hidden = true;
  } else if (t.id === 'logout') logOut();
});
window.addEventListener('hashchange', () => {
  const linked = location.hash.slice(1);
  if (!$('view').hidden && TABS.includes(linked) && linked !== state.tab) void selectTab(linked);
});
$('namespace').addEventListener('change', (e) => pickNamespace(e.target.value));
$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  state.token = $('token').value.trim();
  // Any user the API knows may log in: what they see is what RBAC lets them (a 403 is shown where it applies).
  const res = await api('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    headers: { 'Content-Type': 'application/json' },
  });
  if (!res.ok) return void ($('login-error').textContent = res.status === 401 ? 'That token is not accepted.' : `The API answered ${res.status}.`);
  sessionStorage.setItem('jetkube.token', state.token);
  start();
});

// A token kept from this session starts at once; the first answer that refuses it logs out.
if (state.token) start();
