/**
 * The Events a change of container state calls for, as kubelet records them when a
 * sync meets a back-off or a config error (the events of pulls, starts, kills and probe
 * runs are recorded where those happen, in pod-driver.ts). Pure: compares two states.
 */
import { allContainers, findContainer, podDescription, type PodWorkerState } from './pod-state.ts';

export interface KubeletEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export function transitionEvents(previous: PodWorkerState, next: PodWorkerState): KubeletEvent[] {
  const events: KubeletEvent[] = [];
  for (const c of allContainers(next)) {
    if (c.state.kind !== 'waiting') continue;
    const before = findContainer(previous, c.name);
    const same = before?.state.kind === 'waiting' && before.state.reason === c.state.reason && before.state.message === c.state.message;
    if (same) continue;
    switch (c.state.reason) {
      case 'CrashLoopBackOff':
        events.push({ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.name} in pod ${podDescription(next)}` });
        break;
      case 'ImagePullBackOff':
        events.push({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${c.image}"` });
        events.push({ type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' });
        break;
      case 'ErrImagePull':
        events.push({ type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
        break;
      case 'CreateContainerConfigError':
      case 'CreateContainerError':
      case 'RunContainerError':
        events.push({ type: 'Warning', reason: 'Failed', message: `Error: ${c.state.message ?? c.state.reason}` });
        break;
      default:
        break;
    }
  }
  return events;
}
