/**
 * The testkit harness: runs controllers' pure decisions over a sequence of events against
 * the in-memory API, deterministically (fake clock, counters for names and uids, no NATS),
 * and checks user-given invariants after every event and after every controller's batch
 * of writes. With `settle`, the controllers then run to a fixed point (a round with no
 * writes) and the `eventually` invariants are checked there.
 *
 * checkController wraps it in a fast-check property: fast-check shrinks a failing
 * sequence to the shortest it can find, and the kit prints it and writes the log of its
 * run as a `jetkube export` file, which `jetkube replay --file` opens.
 */
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLogFile } from '../store/log-file.ts';
import { describeWrite, performWrite, type TestController } from './controller.ts';
import { applyEvent, describeEvent, type TestEvent } from './events.ts';
import { MemoryApi, START_TIME, type ClusterView } from './memory-api.ts';

export interface InvariantContext {
  /** Index of the event last applied (-1 before any). */
  eventIndex: number;
  phase: 'event' | 'reconcile' | 'settle' | 'eventually';
  /** The controller whose writes were just applied (reconcile and settle phases). */
  controller?: string;
}

/** Fails by throwing (node:assert works), or by returning false or a message. */
export type Invariant = (view: ClusterView, context: InvariantContext) => void | boolean | string;

export interface ScenarioOptions {
  controllers: readonly TestController[];
  /** Must hold after every event and every controller's writes. */
  invariants?: Record<string, Invariant>;
  /** Must hold at the fixed point reached after the last event (implies settle). */
  eventually?: Record<string, Invariant>;
  /** Run the controllers to a fixed point after the last event (default: when `eventually` is given). */
  settle?: boolean;
  /** Most rounds to reach the fixed point (default 100). */
  maxSettleRounds?: number;
  /** How far the fake clock moves per round (default 1000 ms). */
  roundMs?: number;
  /** The fake clock's start (default 2026-01-01T00:00:00Z). */
  start?: number;
}

export interface ScenarioFailure {
  invariant: string;
  message: string;
  eventIndex: number;
  phase: InvariantContext['phase'];
  controller?: string;
  /** The revision of the log at the failure: the state `jetkube replay --at` shows. */
  revision: number;
}

export interface ScenarioResult {
  api: MemoryApi;
  failure?: ScenarioFailure;
  /** What happened, one line per event and per controller write. */
  trace: string[];
}

class Failed extends Error {
  constructor(readonly failure: ScenarioFailure) {
    super(failure.message);
  }
}

export function runScenario(events: readonly TestEvent[], options: ScenarioOptions): ScenarioResult {
  const api = new MemoryApi(options.start ?? START_TIME);
  const trace: string[] = [];
  const roundMs = options.roundMs ?? 1000;
  let eventIndex = -1;

  const check = (checks: Record<string, Invariant> | undefined, context: InvariantContext) => {
    for (const [name, invariant] of Object.entries(checks ?? {})) {
      let verdict: void | boolean | string;
      try {
        verdict = invariant(api, context);
      } catch (error) {
        verdict = error instanceof Error ? error.message : String(error);
      }
      if (verdict === undefined || verdict === true) continue;
      const message = verdict === false ? `invariant "${name}" does not hold` : verdict;
      throw new Failed({ invariant: name, message, eventIndex, phase: context.phase, ...(context.controller ? { controller: context.controller } : {}), revision: api.revision });
    }
  };

  /** One round: each controller decides once and its writes are applied; returns how many it asked for. */
  const round = (phase: 'reconcile' | 'settle'): number => {
    let asked = 0;
    for (const controller of options.controllers) {
      let writes;
      try {
        writes = controller.reconcile(api);
      } catch (error) {
        throw new Failed({ invariant: 'controller does not throw', message: `${controller.name} threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, eventIndex, phase, controller: controller.name, revision: api.revision });
      }
      for (const write of writes) {
        const outcome = performWrite(api, write);
        trace.push(`  ${controller.name}: ${describeWrite(write)}${outcome.ok ? '' : ` -> ${outcome.code} ${outcome.reason}`}`);
      }
      asked += writes.length;
      if (writes.length > 0) check(options.invariants, { eventIndex, phase, controller: controller.name });
    }
    api.advance(roundMs);
    return asked;
  };

  /** Rounds until one writes nothing. */
  const settle = () => {
    const max = options.maxSettleRounds ?? 100;
    for (let i = 0; i < max; i++) if (round('settle') === 0) return;
    throw new Failed({ invariant: 'reaches a fixed point', message: `the controllers still write after ${max} rounds`, eventIndex, phase: 'settle', revision: api.revision });
  };

  try {
    check(options.invariants, { eventIndex, phase: 'event' });
    for (const event of events) {
      eventIndex++;
      trace.push(`${eventIndex + 1}. ${describeEvent(event)}`);
      if (event.type === 'reconcile') {
        for (let i = 0; i < event.rounds; i++) round('reconcile');
        continue;
      }
      if (event.type === 'settle') {
        settle();
        continue;
      }
      const outcome = applyEvent(api, event);
      if (outcome && !outcome.ok) trace.push(`  -> ${outcome.code} ${outcome.reason}`);
      check(options.invariants, { eventIndex, phase: 'event' });
    }
    if (options.settle ?? options.eventually !== undefined) {
      trace.push('settle');
      settle();
      check(options.eventually, { eventIndex, phase: 'eventually' });
    }
  } catch (error) {
    if (!(error instanceof Failed)) throw error;
    trace.push(`FAILED ${error.failure.invariant}: ${error.failure.message}`);
    return { api, failure: error.failure, trace };
  }
  return { api, trace };
}

export interface CheckOptions extends ScenarioOptions {
  /** The sequences to try (see eventSequence). */
  events: fc.Arbitrary<TestEvent[]>;
  numRuns?: number;
  seed?: number;
  /** Sequences tried first (earlier counterexamples, as regression cases). */
  examples?: TestEvent[][];
  /** Where the failing run's log is written (default: a file in the temp dir named by the seed). */
  logFile?: string;
  /** Where the report goes (default: console.error). */
  print?: (report: string) => void;
}

/** Thrown by checkController: the shrunk sequence, why it fails, and the log file of its run. */
export class ScenarioCheckFailed extends Error {
  /** The failing run (its API and trace); not enumerable, so that printing the error shows the report once. */
  declare readonly result: ScenarioResult;

  constructor(
    readonly report: string,
    readonly events: TestEvent[],
    readonly failure: ScenarioFailure,
    readonly logFile: string,
    readonly seed: number,
    readonly shrinks: number,
    result: ScenarioResult,
  ) {
    super(report);
    this.name = 'ScenarioCheckFailed';
    Object.defineProperty(this, 'result', { value: result, enumerable: false });
  }
}

/**
 * Checks the invariants over generated sequences; on failure, shrinks, writes the failing
 * run's log file, prints the report and throws ScenarioCheckFailed. Resolves with the
 * number of sequences run when every one passes.
 */
export async function checkController(options: CheckOptions): Promise<{ numRuns: number }> {
  const property = fc.property(options.events, (events) => {
    const { failure } = runScenario(events, options);
    if (failure) throw new Error(failure.message);
  });
  const details = fc.check(property, {
    ...(options.numRuns !== undefined ? { numRuns: options.numRuns } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.examples ? { examples: options.examples.map((e) => [e] as [TestEvent[]]) } : {}),
  });
  if (!details.failed || !details.counterexample) return { numRuns: details.numRuns };
  const [events] = details.counterexample;
  const result = runScenario(events, options);
  if (!result.failure) throw new Error(`testkit: the shrunk sequence passes when re-run: the controllers or invariants are not deterministic\n${JSON.stringify(events)}`);
  const logFile = options.logFile ?? join(tmpdir(), `jetkube-testkit-${details.seed}.jklog`);
  await writeLogFile(logFile, result.api.log);
  const report = formatReport(events, result, logFile, details.seed, details.numShrinks);
  (options.print ?? ((text: string) => console.error(text)))(report);
  throw new ScenarioCheckFailed(report, events, result.failure, logFile, details.seed, details.numShrinks, result);
}

export function formatReport(events: readonly TestEvent[], result: ScenarioResult, logFile: string, seed: number, shrinks: number): string {
  const f = result.failure!;
  const where = f.eventIndex < 0 ? 'before any event' : `after event ${f.eventIndex + 1} of ${events.length}`;
  return [
    `testkit: invariant "${f.invariant}" failed ${where} (${f.phase}${f.controller ? `, ${f.controller}` : ''}; seed ${seed}, shrunk ${shrinks} times)`,
    `  ${f.message.split('\n').join('\n  ')}`,
    'run:',
    ...result.trace.map((line) => `  ${line}`),
    `log: ${logFile} (${result.api.log.length} entries; the failing state is revision ${f.revision})`,
    `  jetkube replay --file ${logFile} --at ${f.revision}`,
    `sequence (JSON, to pass back as an example): ${JSON.stringify(events)}`,
  ].join('\n');
}
