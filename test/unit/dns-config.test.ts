import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/object.ts';
import { formPodDns, loadNodeDnsSettings, parseResolvConf, renderResolvConf, type NodeDnsSettings, type PodDnsFields } from '../../src/net/dns-config.ts';
import { prepareContainerRoot, renderEtcHosts } from '../../src/runtime/container-root.ts';

const HOST = parseResolvConf('# host\nnameserver 10.255.255.53\nnameserver 10.255.255.54\nsearch corp.example. lab.example\noptions edns0 timeout:2\n');
const NODE: NodeDnsSettings = { clusterDNS: ['127.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: HOST };
const pod = (spec: PodDnsFields['spec'] = {}, namespace = 'shop'): PodDnsFields => ({ metadata: { namespace }, spec });

describe('pod resolv.conf (kubelet DNS configurer)', () => {
  it('parses resolv.conf as Kubernetes does: nameservers accumulate, last search and options win, trailing dots go', () => {
    assert.deepEqual(HOST, { nameservers: ['10.255.255.53', '10.255.255.54'], searches: ['corp.example', 'lab.example'], options: ['edns0', 'timeout:2'] });
    assert.deepEqual(parseResolvConf('search a\nsearch b c\noptions x\noptions y\n'), { nameservers: [], searches: ['b', 'c'], options: ['y'] });
  });

  it('ClusterFirst: the cluster DNS only, the cluster search list then the host one, ndots:5', () => {
    const { dns, warnings } = formPodDns(pod(), NODE);
    assert.deepEqual(dns, {
      nameservers: ['127.96.0.10'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'],
      options: ['ndots:5'],
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(formPodDns(pod({ dnsPolicy: 'ClusterFirst' }), { clusterDNS: ['127.96.0.10'] }).dns.searches, [
      'shop.svc.cluster.local',
      'svc.cluster.local',
      'cluster.local',
    ]);
  });

  it('ClusterFirst on the host network is Default; ClusterFirstWithHostNet stays on the cluster DNS', () => {
    assert.deepEqual(formPodDns(pod({ hostNetwork: true }), NODE).dns, HOST);
    assert.deepEqual(formPodDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), NODE).dns.nameservers, ['127.96.0.10']);
  });

  it('Default: the host resolv.conf; without one, 127.0.0.1 and search .', () => {
    assert.deepEqual(formPodDns(pod({ dnsPolicy: 'Default' }), NODE).dns, HOST);
    assert.deepEqual(formPodDns(pod({ dnsPolicy: 'Default' }), { clusterDNS: ['127.96.0.10'] }).dns, { nameservers: ['127.0.0.1'], searches: ['.'], options: [] });
  });

  it('falls back to Default with a MissingClusterDNS warning when the node has no cluster DNS', () => {
    const { dns, warnings } = formPodDns(pod(), { clusterDNS: [], hostResolvConf: HOST });
    assert.deepEqual(dns, HOST);
    assert.equal(warnings[0]?.reason, 'MissingClusterDNS');
  });

  it('None: only dnsConfig', () => {
    const { dns } = formPodDns(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['127.0.0.53'], searches: ['x.example'], options: [{ name: 'ndots', value: '2' }] } }), NODE);
    assert.deepEqual(dns, { nameservers: ['127.0.0.53'], searches: ['x.example'], options: ['ndots:2'] });
  });

  it('appends dnsConfig without duplicates, its options overriding by name', () => {
    const { dns } = formPodDns(
      pod({ dnsConfig: { nameservers: ['127.96.0.10', '127.0.0.53'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] } }),
      { clusterDNS: ['127.96.0.10'] },
    );
    assert.deepEqual(dns, {
      nameservers: ['127.96.0.10', '127.0.0.53'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'extra.example'],
      options: ['ndots:1', 'single-request'],
    });
  });

  it('cuts to 3 nameservers and 32 search domains, with DNSConfigForming warnings', () => {
    const { dns, warnings } = formPodDns(
      pod({ dnsConfig: { nameservers: ['127.0.0.2', '127.0.0.3', '127.0.0.4'], searches: Array.from({ length: 40 }, (_, i) => `d${i}.example`) } }),
      { clusterDNS: ['127.96.0.10'] },
    );
    assert.deepEqual(dns.nameservers, ['127.96.0.10', '127.0.0.2', '127.0.0.3']);
    assert.equal(dns.searches.length, 32);
    assert.deepEqual(warnings.map((w) => w.reason), ['DNSConfigForming', 'DNSConfigForming']);
  });

  it('drops search domains longer than 253 characters and keeps the line within 2048', () => {
    const long = `${'a'.repeat(250)}.example`;
    const big = Array.from({ length: 25 }, (_, i) => `${String(i).padStart(2, '0')}${'b'.repeat(95)}.example`);
    const { dns } = formPodDns(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['127.0.0.2'], searches: [long, ...big] } }), NODE);
    assert.ok(!dns.searches.includes(long));
    assert.ok(dns.searches.join(' ').length <= 2048);
    assert.deepEqual(dns.searches, big.slice(0, dns.searches.length));
  });

  it('takes a pod object as the API serves it', () => {
    const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'web' }, spec: { dnsPolicy: 'ClusterFirst', containers: [] } };
    assert.deepEqual(formPodDns(object, { clusterDNS: ['127.96.0.10'] }).dns.searches[0], 'web.svc.cluster.local');
  });

  it("loads the node's settings: cluster DNS defaults to the cluster's DNS address, the host file is read once", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jetkube-dns-host-'));
    try {
      await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.53\nsearch home.example\n');
      assert.deepEqual(loadNodeDnsSettings({ resolvConf: join(dir, 'resolv.conf') }), {
        clusterDNS: ['127.96.0.10'],
        clusterDomain: 'cluster.local',
        hostResolvConf: { nameservers: ['127.0.0.53'], searches: ['home.example'], options: [] },
      });
      assert.equal(loadNodeDnsSettings({ resolvConf: '' }).hostResolvConf, undefined);
      assert.deepEqual(loadNodeDnsSettings({ resolvConf: join(dir, 'missing') }).hostResolvConf, { nameservers: [], searches: [], options: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('renders resolv.conf', () => {
    assert.equal(
      renderResolvConf({ nameservers: ['127.96.0.10'], searches: ['a.svc.cluster.local', 'cluster.local'], options: ['ndots:5'] }),
      'nameserver 127.96.0.10\nsearch a.svc.cluster.local cluster.local\noptions ndots:5\n',
    );
  });
});

describe('container root etc files', () => {
  it('writes etc/hosts with the pod name and address and etc/resolv.conf from the sandbox', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jetkube-dns-root-'));
    try {
      const root = join(dir, 'containers', 'app');
      const dns = { nameservers: ['127.96.0.10'], searches: ['shop.svc.cluster.local'], options: ['ndots:5'] };
      await prepareContainerRoot(root, [], { uid: 'u', namespace: 'shop', name: 'web-0', dir, ip: '127.128.0.4', dns });
      assert.equal(await readFile(join(root, 'etc', 'resolv.conf'), 'utf8'), 'nameserver 127.96.0.10\nsearch shop.svc.cluster.local\noptions ndots:5\n');
      const hosts = await readFile(join(root, 'etc', 'hosts'), 'utf8');
      assert.match(hosts, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
      assert.ok(hosts.endsWith('127.128.0.4\tweb-0\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lets a volume mounted over etc/resolv.conf win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jetkube-dns-root-'));
    try {
      const volume = join(dir, 'volume');
      await mkdir(volume);
      await writeFile(join(volume, 'resolv.conf'), 'nameserver 127.0.0.99\n');
      const root = join(dir, 'containers', 'app');
      const dns = { nameservers: ['127.96.0.10'], searches: [], options: [] };
      await prepareContainerRoot(root, [{ hostPath: join(volume, 'resolv.conf'), containerPath: '/etc/resolv.conf', readOnly: true }], { uid: 'u', namespace: 'ns', name: 'p', dir, ip: '127.128.0.4', dns });
      assert.equal(await readFile(join(root, 'etc', 'resolv.conf'), 'utf8'), 'nameserver 127.0.0.99\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes no etc files without a sandbox, and no hosts line without an address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jetkube-dns-root-'));
    try {
      await prepareContainerRoot(join(dir, 'c'), []);
      await assert.rejects(readFile(join(dir, 'c', 'etc', 'hosts')), { code: 'ENOENT' });
      assert.ok(!renderEtcHosts({ name: 'p', ip: '' }).includes('\tp\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
