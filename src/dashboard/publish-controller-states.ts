/**
 * The effect that makes the controller manager's machines visible: while it runs its
 * controllers, publish their states (streams/controller-states.ts) on every change,
 * coalesced to one report per tick, and every few seconds as a heartbeat. The manager
 * machine invokes it in `running`; tests can `.provide()` another.
 */
import { fromCallback, type AnyActorRef, type AnyEventObject } from 'xstate';
import type { ControllerStatesReport } from '../../streams/controller-states.ts';
import { stateText } from './controller-states.ts';

export const HEARTBEAT_MS = 5_000;

export interface PublishControllerStatesInput {
  /** streams/controller-states.ts publishControllerStates over the manager's connection. */
  publish: (report: ControllerStatesReport) => void;
  identity: string;
  controllers: readonly AnyActorRef[];
  heartbeatMs?: number;
}

export function controllerStatesReport(identity: string, manager: string, controllers: readonly AnyActorRef[], time: number): ControllerStatesReport {
  return {
    identity,
    manager,
    controllers: controllers.map((ref) => {
      const snapshot = ref.getSnapshot();
      return { name: ref.id, state: snapshot.status === 'active' ? stateText(snapshot.value) : snapshot.status };
    }),
    time,
  };
}

export const publishControllerStatesActor = fromCallback<AnyEventObject, PublishControllerStatesInput>(({ input }) => {
  let queued = false;
  const publish = (manager = 'running') => input.publish(controllerStatesReport(input.identity, manager, input.controllers, Date.now()));
  const soon = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      publish();
    });
  };
  const subscriptions = input.controllers.map((ref) => ref.subscribe({ next: soon, error: soon, complete: soon }));
  const heartbeat = setInterval(() => publish(), input.heartbeatMs ?? HEARTBEAT_MS);
  publish();
  return () => {
    clearInterval(heartbeat);
    for (const subscription of subscriptions) subscription.unsubscribe();
    publish('stopping');
  };
});
