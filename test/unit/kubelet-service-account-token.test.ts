import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.ts';
import { notFound } from '../../src/api/errors.ts';
import type { ApiRequest } from '../../src/apiserver/request.ts';
import { serviceAccountTokenSource } from '../../src/kubelet/service-account-token.ts';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'dev', uid: 'u-1' }, spec: { serviceAccountName: 'builder', containers: [] } };

function fakeClient(answer: (request: ApiRequest) => unknown, accounts: string[] = ['builder']) {
  const sent: ApiRequest[] = [];
  return {
    sent,
    client: {
      send: async (request: ApiRequest) => {
        sent.push(request);
        return answer(request) as KubeObject;
      },
      get: async (_resource: string, namespace: string | undefined, name: string) => {
        if (!accounts.includes(name)) throw notFound('serviceaccounts', '', name);
        return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } } as KubeObject;
      },
    },
  };
}

describe('serviceAccountTokenSource', () => {
  it("asks TokenRequest for the pod's account, bound to the pod, and answers the token", async () => {
    const { client, sent } = fakeClient(() => ({ kind: 'TokenRequest', metadata: {}, status: { token: 'a.b.c' } }));
    const token = await serviceAccountTokenSource(client, pod)({ expirationSeconds: 3607, audience: 'vault' });
    assert.equal(token, 'a.b.c');
    assert.equal(sent.length, 1);
    const request = sent[0]!;
    assert.deepEqual([request.verb, request.resource, request.subresource, request.namespace, request.name], ['create', 'serviceaccounts', 'token', 'dev', 'builder']);
    assert.deepEqual((request.body as { spec: unknown }).spec, { audiences: ['vault'], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'u-1' } });
  });

  it('answers no token when the cluster has no signer (404 while the account exists)', async () => {
    const { client } = fakeClient(() => {
      throw notFound('serviceaccounts/token', '', 'builder');
    });
    assert.equal(await serviceAccountTokenSource(client, pod)({ expirationSeconds: 3607 }), undefined);
  });

  it('fails (so the mount is retried) when the account itself is missing', async () => {
    const { client } = fakeClient(() => {
      throw notFound('serviceaccounts', '', 'builder');
    }, []);
    await assert.rejects(serviceAccountTokenSource(client, pod)({ expirationSeconds: 3607 }), /serviceaccounts "builder" not found/);
  });
});
