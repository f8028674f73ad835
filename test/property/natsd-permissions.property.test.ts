// Whatever object a subject names, only the API server (and the admin) may append it to
// the log, and no component but the admin may subscribe to it; whatever JetStream API call
// touches the REGISTRY stream, only those two may make it. Checked on the permission table
// that nats.conf is rendered from (the integration tests check the server enforces it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NATS_USERS, permits } from '../../src/natsd/users.ts';
import { registrySubject } from '../../streams/subjects.ts';

const objectKey = fc.record({
  resource: fc.constantFrom('pods', 'secrets', 'configmaps', 'deployments.apps', 'leases.coordination.k8s.io', 'serviceaccounts'),
  namespace: fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,20}[a-z0-9])?$/)),
  name: fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,40}[a-z0-9])?$/),
});

const jsApiCall = fc.tuple(
  fc.constantFrom('CONSUMER.CREATE.REGISTRY', 'CONSUMER.DURABLE.CREATE.REGISTRY.d', 'DIRECT.GET.REGISTRY', 'STREAM.MSG.GET.REGISTRY', 'STREAM.INFO.REGISTRY', 'STREAM.PURGE.REGISTRY', 'STREAM.DELETE.REGISTRY', 'CONSUMER.MSG.NEXT.REGISTRY.c'),
  fc.option(fc.stringMatching(/^[a-z0-9]{1,8}$/), { nil: undefined }),
).map(([call, suffix]) => `$JS.API.${call}${suffix ? `.${suffix}` : ''}`);

describe('NATS permissions over the registry (property)', () => {
  it('lets nobody but the API server and the admin publish a registry subject; only the admin subscribes to one', () => {
    fc.assert(
      fc.property(objectKey, (key) => {
        const subject = registrySubject(key);
        for (const user of NATS_USERS) {
          assert.equal(permits(user, 'publish', subject), user === 'apiserver' || user === 'admin', `${user} publish ${subject}`);
          assert.equal(permits(user, 'subscribe', subject), user === 'admin', `${user} subscribe ${subject}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the JetStream API of the registry to the API server and the admin', () => {
    fc.assert(
      fc.property(jsApiCall, (subject) => {
        for (const user of NATS_USERS) assert.equal(permits(user, 'publish', subject), user === 'apiserver' || user === 'admin', `${user} ${subject}`);
      }),
      { numRuns: 200 },
    );
  });
});
