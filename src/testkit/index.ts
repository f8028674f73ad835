/**
 * jetkube/testkit: property tests for controllers. Generate API objects and event
 * sequences with fast-check, run a controller's pure decision over them against an
 * in-memory API with a fake clock, check invariants at every step, and get the shortest
 * failing sequence printed and written as a log file that `jetkube replay --file` opens.
 * See docs/testkit.md.
 */
export * from './arbitraries.ts';
export type { JsonObject, KubeObject } from '../api/object.ts';
export { describeWrite, performWrite, type ControllerWrite, type TestController } from './controller.ts';
export { applyEvent, describeEvent, event, UNREACHABLE_TAINTS, type TestEvent } from './events.ts';
export {
  checkController,
  formatReport,
  runScenario,
  ScenarioCheckFailed,
  type CheckOptions,
  type Invariant,
  type InvariantContext,
  type ScenarioFailure,
  type ScenarioOptions,
  type ScenarioResult,
} from './harness.ts';
export { MemoryApi, resourceKeyOf, START_TIME, type ClusterView, type WriteOutcome } from './memory-api.ts';
export { replayLogFile } from './replay.ts';
export { eventSequence, type EventSequenceOptions, type Target } from './sequences.ts';
export { deploymentController, garbageCollector, readyKubelet, replicaSetController, workloadControllers } from './workloads.ts';
