/**
 * One process of the scale run's simulated fleet: the kubelets of nodes sim-<from+1> ..
 * sim-<from+count> (src/kubelet/node-plan.ts simulatedNodePlan), on one NATS connection,
 * with Kubernetes' heartbeat defaults (Lease renewed every 10 s, node status every 5 min
 * when unchanged) and no pod Events, as kwok runs. SIGTERM stops it.
 *
 *   node --import tsx bench/scale/fleet-process.ts --nats-url URL --from 0 --count 1000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createActor, waitFor } from 'xstate';
import { simulatedFleetMachine } from '../../actors/simulated-fleet.machine.ts';
import { simulatedNodePlan } from '../../src/kubelet/node-plan.ts';
import { watchEventLoopStalls } from '../../src/health/event-loop-stalls.ts';
import { componentLogger } from '../../src/log.ts';

const { values } = parseArgs({ options: { 'nats-url': { type: 'string' }, from: { type: 'string' }, count: { type: 'string' } } });
const from = Number(values.from ?? 0);
const count = Number(values.count ?? 0);
const dataDir = await mkdtemp(join(tmpdir(), 'jetkube-scale-fleet-'));
const nodes = simulatedNodePlan(from + count, dataDir).slice(from);
const fleet = createActor(simulatedFleetMachine, { input: { natsUrl: values['nats-url']!, nodes, recordEvents: false } });
fleet.start();
watchEventLoopStalls(componentLogger('event-loop', { process: `fleet-${from}` }));

const stop = () => {
  fleet.send({ type: 'stop' });
  waitFor(fleet, (s) => s.status === 'done', { timeout: 20_000 })
    .catch(() => undefined)
    .then(() => rm(dataDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
