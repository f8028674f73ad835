import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodePortAddressesFor, resolveKubeProxyConfig } from '../../src/proxy/proxy-config.ts';

describe('kube-proxy configuration', () => {
  it('NodePorts listen on 127.0.0.1 and every --node-ip, once each', () => {
    assert.deepEqual(nodePortAddressesFor({}), ['127.0.0.1']);
    assert.deepEqual(nodePortAddressesFor({ nodeIPs: ['127.0.1.1', '127.0.0.1'] }), ['127.0.0.1', '127.0.1.1']);
  });

  it('--nodeport-addresses replaces them; the wildcard stands alone', () => {
    assert.deepEqual(nodePortAddressesFor({ nodeIPs: ['127.0.1.1'], nodePortAddresses: ['127.0.2.1'] }), ['127.0.2.1']);
    assert.deepEqual(nodePortAddressesFor({ nodePortAddresses: ['127.0.2.1', '0.0.0.0/0'] }), ['0.0.0.0']);
  });

  it('defaults: 30 s resync, 5 s listen retry, 30 s UDP idle timeout, events recorded', () => {
    const config = resolveKubeProxyConfig({ natsUrl: 'nats://x', hostname: 'h' });
    assert.equal(config.syncPeriodMs, 30_000);
    assert.equal(config.listenRetryMs, 5_000);
    assert.equal(config.udpIdleTimeoutMs, 30_000);
    assert.equal(config.recordEvents, true);
    assert.equal(config.hostname, 'h');
  });
});
