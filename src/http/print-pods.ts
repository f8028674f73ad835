/**
 * The pod Table, as kubectl shows it: NAME READY STATUS RESTARTS AGE, and with -o wide
 * IP NODE NOMINATED NODE READINESS GATES. STATUS is not the phase alone: it follows
 * Kubernetes' printer, where the first unfinished init container, then the last container
 * with a waiting or terminated reason, then deletion ("Terminating") decide what shows.
 */
import type { KubeObject } from '../api/object.ts';
import { at, col, list, nameColumn, none, num, str, wide, age, since, type Printer } from './table-kit.ts';

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready'),
    col('Status'),
    col('Restarts'),
    col('Age'),
    wide('IP'),
    wide('Node'),
    wide('Nominated Node'),
    wide('Readiness Gates'),
  ],
  cells(pod, now) {
    const { ready, total, status, restarts, lastRestart } = podStatus(pod);
    const restartText = lastRestart ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);
    return [
      pod.metadata.name ?? '',
      `${ready}/${total}`,
      status,
      restartText,
      age(pod, now),
      none(str(at(pod, 'status', 'podIP'))),
      none(str(at(pod, 'spec', 'nodeName'))),
      none(str(at(pod, 'status', 'nominatedNodeName'))),
      readinessGates(pod),
    ];
  },
};

interface PodSummary {
  ready: number;
  total: number;
  status: string;
  restarts: number;
  lastRestart?: string;
}

export function podStatus(pod: KubeObject): PodSummary {
  const spec = at(pod, 'spec');
  const status = at(pod, 'status');
  const total = list(at(spec, 'containers')).length;
  let reason = str(at(status, 'reason')) || str(at(status, 'phase'));
  let restarts = 0;
  let ready = 0;
  let lastRestart: string | undefined;
  const noteRestart = (cs: unknown) => {
    restarts += num(at(cs, 'restartCount'));
    const finished = str(at(cs, 'lastState', 'terminated', 'finishedAt'));
    if (finished && (!lastRestart || finished > lastRestart)) lastRestart = finished;
  };

  const initSpecs = list(at(spec, 'initContainers'));
  const initStatuses = list(at(status, 'initContainerStatuses'));
  let initializing = false;
  for (const [i, cs] of initStatuses.entries()) {
    noteRestart(cs);
    const terminated = at(cs, 'state', 'terminated');
    const waiting = at(cs, 'state', 'waiting');
    if (terminated && num(at(terminated, 'exitCode')) === 0) continue;
    const sidecar = at(initSpecs.find((c) => at(c, 'name') === at(cs, 'name')), 'restartPolicy') === 'Always';
    if (sidecar && at(cs, 'started') === true) continue;
    initializing = true;
    if (terminated) {
      const signal = num(at(terminated, 'signal'));
      reason = str(at(terminated, 'reason'))
        ? `Init:${str(at(terminated, 'reason'))}`
        : signal !== 0
          ? `Init:Signal:${signal}`
          : `Init:ExitCode:${num(at(terminated, 'exitCode'))}`;
    } else if (waiting && str(at(waiting, 'reason')) && at(waiting, 'reason') !== 'PodInitializing') {
      reason = `Init:${str(at(waiting, 'reason'))}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    let running = false;
    for (const cs of [...list(at(status, 'containerStatuses'))].reverse()) {
      noteRestart(cs);
      const waiting = at(cs, 'state', 'waiting');
      const terminated = at(cs, 'state', 'terminated');
      if (str(at(waiting, 'reason'))) reason = str(at(waiting, 'reason'));
      else if (str(at(terminated, 'reason'))) reason = str(at(terminated, 'reason'));
      else if (terminated) {
        const signal = num(at(terminated, 'signal'));
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${num(at(terminated, 'exitCode'))}`;
      } else if (at(cs, 'ready') === true && at(cs, 'state', 'running')) {
        running = true;
        ready++;
      }
    }
    if (reason === 'Completed' && running) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const phase = str(at(status, 'phase'));
  if (pod.metadata.deletionTimestamp && at(status, 'reason') === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return { ready, total, status: reason, restarts, ...(lastRestart ? { lastRestart } : {}) };
}

function hasCondition(pod: KubeObject, type: string): boolean {
  return list(at(pod, 'status', 'conditions')).some((c) => at(c, 'type') === type && at(c, 'status') === 'True');
}

function readinessGates(pod: KubeObject): string {
  const gates = list(at(pod, 'spec', 'readinessGates'));
  if (gates.length === 0) return '<none>';
  const met = gates.filter((g) => hasCondition(pod, str(at(g, 'conditionType')))).length;
  return `${met}/${gates.length}`;
}
