/**
 * One watch of every bound pod, shared by all the simulated kubelets of a process and
 * handed to each by spec.nodeName, as kwok follows the pods of all its nodes with one
 * informer. Without it each of N kubelets holds its own watch, and the API server
 * judges every pod change against N field selectors: at 5,000 nodes that, not the
 * writes, is what the API server spends its time on.
 */
import type { KubeObject } from '../api/object.ts';
import type { ApiClient } from '../client/api-client.ts';
import { isDeletedFinalStateUnknown } from '../informer/deltas.ts';
import { SharedInformerFactory } from '../informer/informer-factory.ts';
import { stripManagedFields } from '../informer/transforms.ts';

export interface PodFeedHandler {
  upserted(pod: KubeObject): void;
  deleted(pod: KubeObject): void;
}

const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';

export class SharedPodFeed {
  private readonly factory: SharedInformerFactory;
  private readonly handlers = new Map<string, PodFeedHandler>();
  /** The pods of each node, so a kubelet that subscribes late starts from them. */
  private readonly podsByNode = new Map<string, Map<string, KubeObject>>();

  /** `nodes`: the nodes whose pods to keep (default every node): a fleet split over processes caches its own share. */
  constructor(client: ApiClient, nodes?: ReadonlySet<string>) {
    this.factory = new SharedInformerFactory(client, { transform: stripManagedFields, ...(nodes ? { keep: (pod: KubeObject) => nodes.has(nodeOf(pod)) } : {}) });
    const informer = this.factory.informerFor({ resource: 'pods', fieldSelector: 'spec.nodeName!=' });
    informer.addEventHandler({
      onAdd: (pod) => this.upsert(pod),
      onUpdate: (_old, pod) => this.upsert(pod),
      onDelete: (object) => this.remove(isDeletedFinalStateUnknown(object) ? object.object : object),
    });
  }

  start(): void {
    this.factory.start();
  }

  stop(): void {
    this.factory.shutdown();
    this.handlers.clear();
  }

  /** Follows one node's pods (those already known arrive at once); returns the unsubscribe. */
  subscribe(nodeName: string, handler: PodFeedHandler): () => void {
    this.handlers.set(nodeName, handler);
    for (const pod of this.podsByNode.get(nodeName)?.values() ?? []) handler.upserted(pod);
    return () => {
      if (this.handlers.get(nodeName) === handler) this.handlers.delete(nodeName);
    };
  }

  private upsert(pod: KubeObject): void {
    const node = nodeOf(pod);
    let pods = this.podsByNode.get(node);
    if (!pods) this.podsByNode.set(node, (pods = new Map()));
    pods.set(pod.metadata.uid ?? '', pod);
    this.handlers.get(node)?.upserted(pod);
  }

  private remove(pod: KubeObject): void {
    const node = nodeOf(pod);
    this.podsByNode.get(node)?.delete(pod.metadata.uid ?? '');
    this.handlers.get(node)?.deleted(pod);
  }
}
