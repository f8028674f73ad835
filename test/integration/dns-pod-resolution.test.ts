/**
 * A pod's view of the cluster DNS: a container root with the etc/resolv.conf the kubelet
 * would give a ClusterFirst pod, the agnhost stand-in running in it as a real process,
 * and its netexec /dial reaching a Service by its short name, its namespaced name and
 * its full name through the cluster DNS actor (real nats-server, real sockets).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createActor, waitFor, type Actor } from 'xstate';
import { clusterDnsMachine } from '../../actors/dns.machine.ts';
import type { KubeObject } from '../../src/api/object.ts';
import type { DnsServerHandle } from '../../src/dns/server.ts';
import { formPodDns } from '../../src/net/dns-config.ts';
import { prepareContainerRoot } from '../../src/runtime/container-root.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

const AGNHOST = fileURLToPath(new URL('../../src/runtime/images/agnhost.mjs', import.meta.url));
const octet = () => 1 + Math.floor(Math.random() * 250);
const DNS_ADDRESS = `127.53.${octet()}.${octet()}`;
const WEB_POD_IP = `127.128.${octet()}.${octet()}`;
const CLIENT_POD_IP = `127.128.${octet()}.${octet()}`;

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('pod name resolution through the cluster DNS', () => {
  let cluster: TestCluster;
  let dns: Actor<typeof clusterDnsMachine>;
  let server: DnsServerHandle;
  let web: Server;
  let webPort: number;
  let dir: string;
  let root: string;
  let agnhost: ChildProcess;
  let agnhostPort: number;

  before(async () => {
    cluster = await startTestCluster();
    web = createServer((req, res) => res.end(`web answered ${req.url}`));
    await new Promise<void>((resolve) => web.listen(0, WEB_POD_IP, resolve));
    webPort = (web.address() as { port: number }).port;
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: webPort }] } };
    await cluster.client.create('services', svc);
    await cluster.client.create('endpointslices.discovery.k8s.io', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [WEB_POD_IP], conditions: { ready: true } }],
      ports: [{ name: 'http', port: webPort, protocol: 'TCP' }],
    } as KubeObject);

    dns = createActor(clusterDnsMachine, { input: { natsUrl: cluster.nats.url, address: DNS_ADDRESS, port: 0, upstreams: [] } });
    dns.start();
    server = (await waitFor(dns, (s) => s.matches('serving'), { timeout: 20_000 })).context.server!;

    // What the kubelet hands the runtime for a ClusterFirst pod in `default`; the port rides on the nameserver (unprivileged test).
    const pod = { metadata: { namespace: 'default' }, spec: {} };
    const { dns: podDns } = formPodDns(pod, { clusterDNS: [`${server.address}:${server.port}`] });
    dir = await mkdtemp(join(tmpdir(), 'jetkube-dns-pod-'));
    root = join(dir, 'containers', 'client');
    await prepareContainerRoot(root, [], { uid: 'u1', namespace: 'default', name: 'client', dir, ip: CLIENT_POD_IP, dns: podDns });

    agnhostPort = await freePort(CLIENT_POD_IP);
    agnhost = spawn(process.execPath, [AGNHOST, 'netexec', `--http-port=${agnhostPort}`], {
      cwd: root,
      env: { PATH: process.env.PATH, HOSTNAME: 'client', JETKUBE_ROOT: root, JETKUBE_POD_IP: CLIENT_POD_IP },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      agnhost.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Started HTTP server')) resolve();
      });
      agnhost.once('exit', (code) => reject(new Error(`agnhost exited with ${code}`)));
    });
  });

  after(async () => {
    agnhost?.kill('SIGTERM');
    if (dns) {
      dns.send({ type: 'stop' });
      await waitFor(dns, (s) => s.status === 'done', { timeout: 10_000 });
    }
    await new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)));
    if (dir) await rm(dir, { recursive: true, force: true });
    await cluster?.dispose();
  });

  const dial = async (host: string) => {
    const res = await fetch(`http://${CLIENT_POD_IP}:${agnhostPort}/dial?request=hello&protocol=http&host=${host}&port=${webPort}&tries=1`);
    return (await res.json()) as { responses: string[]; errors: string[] };
  };

  for (const name of ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local', 'web.default.svc.cluster.local.']) {
    it(`reaches the Service as ${name}`, async () => {
      assert.deepEqual(await dial(name), { responses: ['web answered /hello'], errors: [] });
    });
  }

  it('fails for a name the cluster does not have', async () => {
    const result = await dial('nothing-here');
    assert.deepEqual(result.responses, []);
    assert.match(result.errors[0] ?? '', /ENOTFOUND|EAI_AGAIN/);
  });

  it('lets any Node.js program in the pod resolve the same way with the pod-dns preload (the node image)', async () => {
    const preload = fileURLToPath(new URL('../../src/runtime/images/pod-dns-preload.mjs', import.meta.url));
    const program = `fetch('http://web:${webPort}/from-node').then((r) => r.text()).then(console.log)`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', preload, '-e', program], { env: { PATH: process.env.PATH, JETKUBE_ROOT: root } });
    assert.equal(stdout.trim(), 'web answered /from-node');
  });

  it("prints the pod's search list, nameservers and hosts file (agnhost dns-suffix, dns-server-list, etc-hosts)", async () => {
    const run = (sub: string) => promisify(execFile)(process.execPath, [AGNHOST, sub], { env: { PATH: process.env.PATH, JETKUBE_ROOT: root } });
    assert.equal((await run('dns-suffix')).stdout.trim(), 'default.svc.cluster.local,svc.cluster.local,cluster.local');
    assert.equal((await run('dns-server-list')).stdout.trim(), `${server.address}:${server.port}`);
    assert.match((await run('etc-hosts')).stdout, new RegExp(`${CLIENT_POD_IP.replaceAll('.', '\\.')}\\tclient\\n$`));
  });
});
