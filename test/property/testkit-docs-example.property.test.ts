/**
 * The example of docs/testkit.md, kept running (imports are relative here; a user imports
 * from 'jetkube/testkit'). If this changes, change the doc.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { checkController, event, eventSequence, pod, type ClusterView, type KubeObject, type TestController } from '../../src/testkit/index.ts';

// The controller under test: delete the pods bound to a node that is not Ready.
const nodeOf = (view: ClusterView, p: KubeObject) => view.get('nodes', '', (p.spec as { nodeName: string }).nodeName);
const isDown = (node?: KubeObject) => (node?.status as { conditions?: { type: string; status: string }[] })?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'True') ?? false;
const evictor: TestController = {
  name: 'evictor',
  reconcile: (view) =>
    view.list('pods').filter((p) => isDown(nodeOf(view, p)))
      .map((p) => ({ type: 'delete', resource: 'pods', namespace: p.metadata.namespace!, name: p.metadata.name!, uid: p.metadata.uid! })),
};
const readyNode = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });

test('no pod stays on a failed node', async () => {
  await checkController({
    controllers: [evictor],
    events: eventSequence({
      prefix: [event.create(readyNode('n1')), event.create(readyNode('n2'))],
      creates: fc.tuple(pod(), fc.constantFrom('n1', 'n2')).map(([p, nodeName]) => ({ ...p, spec: { ...(p.spec as object), nodeName } })),
      nodes: ['n1', 'n2'],
      maxClockStepMs: 60_000,
    }),
    eventually: { 'no pod on a down node': (view) => !view.list('pods').some((p) => isDown(nodeOf(view, p))) },
  });
});
