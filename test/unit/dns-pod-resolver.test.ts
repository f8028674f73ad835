import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

interface PodDns {
  candidateNames(name: string, searches: string[], ndots: number): string[];
  ndotsOf(conf: { options: string[] }): number;
  parseHosts(text: string): Map<string, string[]>;
}
const modulePath = new URL('../../src/runtime/images/pod-dns.mjs', import.meta.url).href;
const podDns = (await import(modulePath)) as PodDns;
const SEARCH = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

describe("image programs' pod resolver (glibc search rules)", () => {
  it('tries the search list first for names with fewer dots than ndots, then the name itself', () => {
    assert.deepEqual(podDns.candidateNames('web', SEARCH, 5), ['web.shop.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
    assert.deepEqual(podDns.candidateNames('web.other', SEARCH, 5).slice(0, 2), ['web.other.shop.svc.cluster.local', 'web.other.svc.cluster.local']);
  });

  it('tries the name itself first when it has at least ndots dots, and only it when it ends in a dot', () => {
    assert.deepEqual(podDns.candidateNames('a.b.c.d.e.f', SEARCH, 5)[0], 'a.b.c.d.e.f');
    assert.deepEqual(podDns.candidateNames('web.shop.svc.cluster.local.', SEARCH, 5), ['web.shop.svc.cluster.local']);
    assert.deepEqual(podDns.candidateNames('example.org', ['.'], 1), ['example.org']);
  });

  it('reads ndots (default 1, at most 15) and hosts files', () => {
    assert.equal(podDns.ndotsOf({ options: ['ndots:5', 'edns0'] }), 5);
    assert.equal(podDns.ndotsOf({ options: [] }), 1);
    assert.equal(podDns.ndotsOf({ options: ['ndots:40'] }), 15);
    const hosts = podDns.parseHosts('# c\n127.0.0.1\tlocalhost\n127.128.0.4\tweb-0 Web-0.alias # note\nbad line\n');
    assert.deepEqual(hosts.get('web-0.alias'), ['127.128.0.4']);
    assert.deepEqual(hosts.get('localhost'), ['127.0.0.1']);
    assert.equal(hosts.get('bad'), undefined);
  });
});
