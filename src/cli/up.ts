/**
 * `jetkube up`: the whole cluster on this machine. Starts nats-server from nats.conf when
 * nothing answers on the NATS URL (its store under <data-dir>/nats), then the supervisor
 * with its components; Ctrl-C drains the components and stops the nats-server it started.
 * `jetkube run apiserver` / `jetkube run controller-manager`: one component alone against
 * a running NATS.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createActor, waitFor, type AnyActorRef } from 'xstate';
import { apiServerMachine } from '../../actors/apiserver.machine.ts';
import { controllerManagerMachine } from '../../actors/controller-manager.machine.ts';
import { kubeletMachine } from '../../actors/kubelet.machine.ts';
import { schedulerMachine } from '../../actors/scheduler.machine.ts';
import { DEFAULT_POD_CIDR } from '../kubelet/kubelet-config.ts';
import { processNodePlan, simulatedNodePlan } from '../kubelet/node-plan.ts';
import { CLUSTER_DNS_IP } from '../net/cluster-network.ts';
import { startClusterMetrics } from '../metrics/cluster-metrics.ts';
import { newComponentRegistry } from '../metrics/component-registry.ts';
import { SchedulerMetrics } from '../metrics/scheduler-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../metrics/server.ts';
import type { Registry } from 'prom-client';
import { supervisorMachine } from '../../actors/supervisor.machine.ts';
import { componentLogger } from '../log.ts';
import { watchEventLoopStalls } from '../health/event-loop-stalls.ts';
import { isListening, startNatsServer } from '../natsd/server.ts';
import { startNatsCluster } from '../natsd/cluster.ts';
import { startTcpFront } from '../http/front.ts';
import type { HttpFaceConfig } from '../http/effect.ts';
import { ensureNatsCredentials } from '../natsd/credentials.ts';
import { NATS_USERS, type NatsUser } from '../natsd/users.ts';
import { NATS_FLAG, natsUrlFrom, parseFlags } from './flags.ts';
import { prepareHttpFace, HTTP_FLAGS, HTTP_HELP, writeAdminKubeconfig } from '../http/setup.ts';
import { parseHostPort } from '../http/address.ts';
import { loadPki } from '../http/pki.ts';
import { encryptionConfigPath, ensureEncryptionConfig } from '../encryption/config-file.ts';
import { ADMISSION_FLAGS, ADMISSION_HELP, admissionSelectionFrom } from './admission-flags.ts';
import { CONCURRENT_SYNCS_OPTIONS, concurrentSyncsFrom } from './concurrent-syncs-flags.ts';
import { readAuditPolicy } from '../audit/policy-file.ts';

const log = componentLogger('up');

const UP_HELP = `Usage: jetkube up [--data-dir DIR] [--nats-url URL] [--api-servers N] [--nodes N] [--simulated-nodes N]

  --data-dir DIR         where this cluster keeps its state (default ./data); the NATS store is DIR/nats
                         and each component's NATS user key is in DIR/nats-credentials (made once)
                         Secrets are encrypted in the log with DIR/encryption-config.yaml (made on first start)
  --nats-url URL         the NATS server to use (default $NATS_URL or nats://127.0.0.1:4222);
                         started from nats.conf on that port when nothing answers there
  --api-servers N        API servers in the queue group (default 1); with more than one, each serves HTTPS on
                         its own port and --api-address is a front that balances connections between them
  --control-plane-replicas N  schedulers and controller managers, one leading through a Lease, the others
                         standing by (default 1; 2 with --api-servers above 1)
  --nats-cluster N       start N nats-servers routed as one cluster (ports from --nats-url's on), streams at R3
  --nodes N              kubelets running containers as real processes (default 1, at most 64)
  --simulated-nodes N    kubelets with the simulated runtime, on one connection (default 0)
  --ingress-address A    where the ingress controller listens (default 127.0.0.1:80, else :8080); "none" for no ingress
  --audit-policy-file F  an audit.k8s.io/v1 Policy: which writes the audit trail records (levels None and
                         Metadata; default: every write)
${HTTP_HELP}
${ADMISSION_HELP}
Run several clusters side by side with different --data-dir and --nats-url ports.
`;

export async function upCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(
    args,
    { ...NATS_FLAG, ...HTTP_FLAGS, ...ADMISSION_FLAGS, 'data-dir': { type: 'string' }, 'api-servers': { type: 'string' }, 'nats-cluster': { type: 'string' }, 'control-plane-replicas': { type: 'string' }, nodes: { type: 'string' }, 'simulated-nodes': { type: 'string' }, 'ingress-address': { type: 'string' }, 'audit-policy-file': { type: 'string' } },
    UP_HELP,
  );
  const requestedNatsUrl = natsUrlFrom(values);
  const natsClusterSize = clusterSizeFrom(values['nats-cluster'] as string | undefined);
  const admission = admissionSelectionFrom(values);
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? 'data');
  const apiServers = Number(values['api-servers'] ?? 1);
  // Highly available means standbys too: with several API servers, two schedulers and two controller managers.
  const controlPlaneReplicas = Number(values['control-plane-replicas'] ?? (apiServers > 1 ? 2 : 1));
  if (!Number.isInteger(controlPlaneReplicas) || controlPlaneReplicas < 1 || controlPlaneReplicas > 5) throw new Error('--control-plane-replicas must be between 1 and 5');
  const nodes = processNodePlan(Number(values.nodes ?? 1), dataDir, hostname().toLowerCase());
  const simulatedNodes = simulatedNodePlan(Number(values['simulated-nodes'] ?? 0), dataDir);
  await mkdir(dataDir, { recursive: true });
  // Secrets are sealed in the log with the first key of this file (created once, mode 0600).
  const encryption = { encryptionConfigFile: encryptionConfigPath(dataDir) };
  if ((await ensureEncryptionConfig(encryption.encryptionConfigFile)).created) {
    log.info({ file: encryption.encryptionConfigFile }, 'created the encryption config: Secrets are encrypted at rest with its key');
  }

  // A policy that does not read stops here, naming the file, before anything starts.
  const auditPolicyFile = values['audit-policy-file'] ? resolve(values['audit-policy-file'] as string) : undefined;
  if (auditPolicyFile) await readAuditPolicy(auditPolicyFile);

  const http = await prepareHttpFace(values, dataDir);
  const { started: nats, url: natsUrl } = await ensureNats(requestedNatsUrl, dataDir, natsClusterSize);
  const ingress = ingressOption(values['ingress-address'] as string | undefined);
  // Port 53 needs root; otherwise the DNS listens on 5353 and pods are told so.
  const dnsPort = process.getuid?.() === 0 ? 53 : 5353;
  const metrics = await startClusterMetrics(nodes.map((n) => n.nodeName));
  const supervisor = createActor(supervisorMachine, {
    input: {
      natsUrl,
      natsUsers: true,
      apiServers,
      controlPlaneReplicas,
      apiServerOptions: { admission, ...encryption, ...(auditPolicyFile ? { auditPolicyFile } : {}) },
      http: http.config,
      ...(apiServers > 1 && http.config ? { apiServerHttp: ownFaces(http.config, apiServers) } : {}),
      nodes,
      simulatedNodes,
      ingress,
      dns: { port: dnsPort },
      clusterDNS: [dnsPort === 53 ? CLUSTER_DNS_IP : `${CLUSTER_DNS_IP}:${dnsPort}`],
      controllerManagerOptions: { localPathRoot: join(dataDir, 'volumes'), rootCACert: (await loadPki(http.pkiDir)).caCert, ...metrics.controllerManager },
      schedulerOptions: metrics.scheduler,
      kubeletOptions: metrics.kubelets,
      kubeProxy: metrics.kubeProxy,
    },
  });
  supervisor.start();
  const apiserver = supervisor.system.get('apiserver-0') as AnyActorRef;
  await waitFor(apiserver, (s) => s.matches({ online: 'serving' }), { timeout: Infinity });
  const httpState = await waitFor(apiserver, (s) => !!s.context.httpUrl || /^HTTP face/.test(s.context.lastError ?? ''), { timeout: 30_000 });
  // Several API servers: each serves on its own port, and one front at --api-address balances between them.
  const ownUrls = apiServers > 1 ? await apiServerUrls(supervisor, apiServers) : [];
  const front = ownUrls.length > 0 ? await startTcpFront(http.config.address, () => ownUrls.map((u) => new URL(u).host)) : undefined;
  const httpUrl = front ? `https://${front.address}` : (httpState.context.httpUrl as string | undefined);
  const insecureUrl = httpState.context.insecureHttpUrl as string | undefined;
  if (httpUrl) await writeAdminKubeconfig(http, httpUrl);
  const ingressAddress = ingress === false ? undefined : await ingressListening(supervisor.system.get('ingress') as AnyActorRef | undefined);

  const adminToken = httpUrl ? (await loadPki(http.pkiDir)).adminToken : undefined;
  process.stdout.write(
    `jetkube is up.
  NATS:        ${natsUrl}${nats ? ` (started here, store ${nats.storeDir})` : ' (already running)'}
  API servers: ${apiServers}, serving on NATS subjects api.>
  Control:     ${controlPlaneReplicas > 1 ? `${controlPlaneReplicas} schedulers and ${controlPlaneReplicas} controller managers` : 'scheduler and controller manager'} (Deployment, ReplicaSet, garbage collector, namespace,
               service account, node lifecycle, pod GC), each leading through a Lease in kube-system
  Nodes:       ${describeNodes(nodes.length, simulatedNodes.length)}
  DNS:         ${CLUSTER_DNS_IP}:${dnsPort} (cluster.local; pods' resolv.conf points there)
  Ingress:     ${ingress === false ? 'none (--ingress-address none)' : (ingressAddress ?? 'not listening yet (see the log)')}
  Metrics:     ${Object.entries(metrics.urls).map(([name, url]) => `${name} ${url}`).join(', ')}
  Kubernetes:  ${httpUrl ?? `not serving (${httpState.context.lastError})`}${insecureUrl ? ` (and ${insecureUrl} without authentication)` : ''}${ownUrls.length > 0 ? `\n               in front of ${ownUrls.map((u, i) => `apiserver-${i} ${u}`).join(', ')}` : ''}
  kubeconfig:  ${httpUrl ? http.kubeconfigPath : '-'} (admin; token in ${http.pkiDir}/admin.token)
  Dashboard:   ${httpUrl ? `${httpUrl}/dashboard/ (log in with the admin token: ${adminToken})` : '-'}
Try:
  export KUBECONFIG=${http.kubeconfigPath}
  kubectl get namespaces
  npx jetkube get namespaces --nats-url ${natsUrl}
  npx jetkube apply -f manifest.yaml --nats-url ${natsUrl}
Press Ctrl-C to stop.
`,
  );
  const stopStallWatch = watchEventLoopStalls(componentLogger('event-loop', { process: 'up' }));
  await untilSignal();
  stopStallWatch();
  log.info('stopping: draining components');
  supervisor.send({ type: 'stop' });
  await metrics.close();
  await front?.close();
  await waitFor(supervisor, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => log.warn('components did not drain in 30 s'));
  if (nats) {
    log.info('stopping the nats-server started here');
    await nats.stop();
  }
  return 0;
}

const RUN_HELP = `Usage: jetkube run apiserver|controller-manager|scheduler|kubelet [--nats-url URL] [--name NAME]
       jetkube run apiserver [--encryption-provider-config FILE]   (e.g. DATA_DIR/encryption-config.yaml: seals Secrets)
       jetkube run apiserver [--max-requests-inflight N]   (workload requests run at once, the rest queue fairly by client; default 100, 0: off)
       jetkube run apiserver [--audit-policy-file F]       (an audit.k8s.io/v1 Policy: which writes are recorded, levels None and Metadata; default: every write)
       jetkube run controller-manager|scheduler [--metrics-address HOST:PORT]   (serve /metrics there, e.g. 127.0.0.1:10257; default: none)
       jetkube run controller-manager [--concurrent-deployment-syncs N] [--concurrent-replicaset-syncs N] ...
                  (kube-controller-manager's --concurrent-*-syncs: keys reconciled at once per controller; also
                  statefulset, daemonset, job, cron-job, ttl-after-finished, gc, namespace, resource-quota,
                  endpoint, service-endpoint, horizontal-pod-autoscaler)
       jetkube run kubelet [--node-name NAME] [--runtime process|simulated] [--root-dir DIR] [--pod-cidr CIDR]

Runs one component alone against a running NATS server. Several API servers share the
load in one queue group (give each its own --name); several schedulers and controller
managers elect one leader through a Lease in kube-system. A kubelet registers its Node
(default: this host's name) and runs the pods bound to it, under --root-dir (default
./data/kubelet/<node>), with pod addresses from --pod-cidr (default: the range the node IPAM controller assigns;
${DEFAULT_POD_CIDR} if none comes within a minute).
`;

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { ...NATS_FLAG, ...ADMISSION_FLAGS, name: { type: 'string' }, 'node-name': { type: 'string' }, runtime: { type: 'string' }, 'root-dir': { type: 'string' }, 'pod-cidr': { type: 'string' }, 'encryption-provider-config': { type: 'string' }, 'audit-policy-file': { type: 'string' }, 'max-requests-inflight': { type: 'string' }, 'metrics-address': { type: 'string' }, ...CONCURRENT_SYNCS_OPTIONS },
    RUN_HELP,
  );
  const component = positionals[0];
  const concurrentSyncs = concurrentSyncsFrom(values);
  // Connects as the component's own NATS user when this machine holds its seed.
  const natsUrl = natsUrlFrom(values, (NATS_USERS as readonly string[]).includes(component ?? '') ? (component as NatsUser) : 'admin');
  let actor: AnyActorRef;
  let metricsServer: MetricsServer | undefined;
  // Kubernetes' components serve /metrics always; alone here they do so when told where.
  const serveMetrics = async (registry: Registry) => {
    const address = values['metrics-address'] as string | undefined;
    if (!address) return;
    const { host, port } = parseHostPort(address);
    metricsServer = await startMetricsServer(registry, { host, port });
    log.info({ url: metricsServer.url }, `${component} serving /metrics`);
  };
  switch (component) {
    case 'apiserver':
      actor = createActor(apiServerMachine, {
        input: {
          natsUrl,
          name: (values.name as string | undefined) ?? 'apiserver',
          admission: admissionSelectionFrom(values),
          // Every API server of a cluster needs the same config (the one `jetkube up` made in its data dir).
          ...(values['encryption-provider-config'] ? { encryptionConfigFile: values['encryption-provider-config'] as string } : {}),
          ...(values['audit-policy-file'] ? { auditPolicyFile: values['audit-policy-file'] as string } : {}),
          ...(values['max-requests-inflight'] !== undefined ? { maxRequestsInflight: nonNegativeInteger(values['max-requests-inflight'] as string, 'max-requests-inflight') } : {}),
        },
      });
      break;
    case 'controller-manager': {
      const metricsRegistry = newComponentRegistry();
      await serveMetrics(metricsRegistry);
      actor = createActor(controllerManagerMachine, { input: { natsUrl, metricsRegistry, concurrentSyncs } });
      break;
    }
    case 'scheduler': {
      const metrics = new SchedulerMetrics(newComponentRegistry());
      await serveMetrics(metrics.registry);
      actor = createActor(schedulerMachine, { input: { natsUrl, metrics } });
      break;
    }
    case 'kubelet': {
      const runtime = (values.runtime as string | undefined) ?? 'process';
      if (runtime !== 'process' && runtime !== 'simulated') {
        process.stderr.write(`jetkube run kubelet: --runtime is process or simulated, not "${runtime}"\n`);
        return 1;
      }
      const nodeName = (values['node-name'] as string | undefined) ?? hostname().toLowerCase();
      const rootDir = resolve((values['root-dir'] as string | undefined) ?? join('data', 'kubelet', nodeName));
      // Without --pod-cidr the node IPAM controller assigns the Node its range.
      const podCIDR = values['pod-cidr'] as string | undefined;
      actor = createActor(kubeletMachine, { input: { natsUrl, nodeName, runtime, rootDir, ...(podCIDR ? { podCIDR } : {}) } });
      break;
    }
    default:
      process.stderr.write(`jetkube run: unknown component "${component ?? ''}"; known: apiserver, controller-manager, scheduler, kubelet\n`);
      return 1;
  }
  actor.start();
  const stopStallWatch = watchEventLoopStalls(componentLogger('event-loop', { process: component }));
  await untilSignal();
  stopStallWatch();
  actor.send({ type: 'stop' });
  await waitFor(actor, (s) => s.status === 'done', { timeout: 30_000 }).catch(() => log.warn('did not drain in 30 s'));
  await metricsServer?.close();
  return 0;
}

/** The ingress controller's address once it serves (it retries a port it cannot bind, so this does not wait forever). */
async function ingressListening(ingress: AnyActorRef | undefined): Promise<string | undefined> {
  if (!ingress) return undefined;
  const state = await waitFor(ingress, (s) => s.matches('serving'), { timeout: 10_000 }).catch(() => undefined);
  const address = state?.context.address as { host: string; port: number } | undefined;
  return address ? `http://${address.host}:${address.port}` : undefined;
}

/** "none" turns the ingress controller off; HOST:PORT places it (default 127.0.0.1:80, falling back to 8080). */
function ingressOption(address: string | undefined): false | { host?: string; port?: number } {
  if (address === 'none') return false;
  if (!address) return {};
  const { host, port } = parseHostPort(address);
  return { host, port };
}

function describeNodes(real: number, simulated: number): string {
  const parts = [];
  if (real > 0) parts.push(`${real} running containers as processes`);
  if (simulated > 0) parts.push(`${simulated} simulated`);
  return parts.length > 0 ? parts.join(', ') : 'none (--nodes 0)';
}

interface NatsHere {
  /** The servers started here (none when one already answered). */
  started?: { storeDir: string; stop(): Promise<void> };
  /** What components connect to: one URL, or every server's of a cluster. */
  url: string;
}

/** --nats-cluster N: one server (1) or a cluster of N on consecutive client ports. */
function clusterSizeFrom(text: string | undefined): number {
  const size = Number(text ?? 1);
  if (!Number.isInteger(size) || size < 1 || size > 7) throw new Error(`--nats-cluster must be between 1 and 7 servers, not "${text}"`);
  return size;
}

/** Each API server's own HTTPS face, on any free port of the front's host; the first keeps the insecure face. */
function ownFaces(config: HttpFaceConfig, count: number): HttpFaceConfig[] {
  const { host } = parseHostPort(config.address);
  return Array.from({ length: count }, (_, i) => {
    const { insecureAddress, ...rest } = config;
    return { ...rest, address: `${host}:0`, ...(i === 0 && insecureAddress ? { insecureAddress } : {}) };
  });
}

async function apiServerUrls(supervisor: AnyActorRef, count: number): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const actor = supervisor.system.get(`apiserver-${i}`) as AnyActorRef;
    const state = await waitFor(actor, (s) => !!s.context.httpUrl || /^HTTP face/.test(s.context.lastError ?? ''), { timeout: 60_000 });
    if (state.context.httpUrl) urls.push(state.context.httpUrl as string);
  }
  return urls;
}

async function ensureNats(natsUrl: string, dataDir: string, clusterSize: number): Promise<NatsHere> {
  // Every component connects as its own NATS user (src/natsd/users.ts) with a key made once per data dir.
  const { credentialsDir, usersFile } = await ensureNatsCredentials(dataDir);
  process.env.JETKUBE_NATS_CREDENTIALS = credentialsDir;
  const first = new URL(natsUrl.split(',')[0]!.trim());
  const host = first.hostname || '127.0.0.1';
  const port = Number(first.port || 4222);
  const ports = Array.from({ length: clusterSize }, (_, i) => port + i);
  const url = clusterSize === 1 ? natsUrl : ports.map((p) => `nats://${host}:${p}`).join(',');
  if (await isListening(host, port)) return { url };
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`nothing answers at ${natsUrl}, and jetkube only starts a nats-server on this machine: start it there, or use a loopback URL`);
  }
  if (clusterSize === 1) {
    log.info({ port, storeDir: `${dataDir}/nats` }, 'starting nats-server from nats.conf');
    return { url, started: await startNatsServer({ port, storeDir: `${dataDir}/nats`, logFile: `${dataDir}/nats-server.log`, detached: true, usersFile }) };
  }
  log.info({ ports, storeRoot: `${dataDir}/nats` }, `starting a NATS cluster of ${clusterSize} from nats.conf (streams kept at R3)`);
  const cluster = await startNatsCluster({ size: clusterSize, storeRoot: `${dataDir}/nats`, ports, usersFile, logDir: dataDir, detached: true });
  return { url, started: { storeDir: `${dataDir}/nats/<server>`, stop: () => cluster.stop() } };
}

/**
 * Resolves on the first SIGINT or SIGTERM. A Ctrl-C reaches every process of the
 * terminal's group, and tsx relays it once more, so one keypress can arrive twice: only
 * a third signal forces an exit without draining.
 */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    let received = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      received++;
      if (received === 1) return resolveSignal(signal);
      if (received >= 3) {
        log.warn('forced exit without draining');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function nonNegativeInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${flag} takes a whole number >= 0, got "${value}"`);
  return n;
}
