/**
 * A client of the API's NATS face, for the CLI, for tests, and for in-cluster components.
 * Methods take the resource's registry key ("pods", "deployments.apps") and throw a
 * StatusError with the server's Status on failure. Every write carries a request id and
 * is retried with the same id when the answer times out, so a retried write is applied
 * at most once (the log de-duplicates by that id).
 */
import { randomUUID } from 'node:crypto';
import { fromStatus, StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import { connectNats, drainNats, type NatsConnection } from '../../streams/connection.ts';
import { requestApi, watchApi, type WatchStream } from '../../streams/api-transport.ts';
import type { ApiRequest, ObjectList, PatchType, RequestOptions, Subresource, WatchEvent } from '../apiserver/request.ts';

/** Objects per page of listAll: ~1 KiB objects keep a page well under NATS' payload limit. */
export const LIST_PAGE_SIZE = 500;

export interface ClientOptions {
  /** Per attempt; a write is retried once more with the same request id after a timeout. */
  timeoutMs?: number;
  writeAttempts?: number;
  /**
   * Who this client's writes are recorded as in managedFields, unless a request names its
   * own (Kubernetes takes it from the user agent: kube-controller-manager, kubelet, ...).
   */
  fieldManager?: string;
}

/** client-go's maxRetries for a 429 with Retry-After. */
const MAX_THROTTLED_ATTEMPTS = 11;

export class ApiClient {
  private constructor(
    readonly nc: NatsConnection,
    private readonly ownsConnection: boolean,
    private readonly options: ReturnType<typeof withDefaults>,
  ) {}

  static async connect(natsUrl: string, name = 'jetkube-client', options: ClientOptions = {}): Promise<ApiClient> {
    return new ApiClient(await connectNats(natsUrl, name), true, withDefaults(options));
  }

  /** A client on a connection someone else owns (close() leaves it open). */
  static over(nc: NatsConnection, options: ClientOptions = {}): ApiClient {
    return new ApiClient(nc, false, withDefaults(options));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await drainNats(this.nc);
  }

  get(resource: string, namespace: string | undefined, name: string, options?: RequestOptions): Promise<KubeObject> {
    return this.send({ verb: 'get', resource, namespace, name, options }) as Promise<KubeObject>;
  }

  list(resource: string, namespace?: string, options?: RequestOptions): Promise<ObjectList> {
    return this.send({ verb: 'list', resource, namespace, options }) as Promise<ObjectList>;
  }

  /**
   * Every matching object, fetched in pages (one NATS message holds at most a few MiB)
   * that the server cuts from one snapshot, so the result is consistent at the first
   * page's resourceVersion, as a single list would be.
   */
  async listAll(resource: string, namespace?: string, options: RequestOptions = {}, pageSize = LIST_PAGE_SIZE): Promise<ObjectList> {
    const first = await this.list(resource, namespace, { ...options, limit: pageSize });
    const items = [...first.items];
    let next = first.metadata.continue;
    while (next) {
      const { resourceVersion: _rv, ...rest } = options;
      const page = await this.list(resource, namespace, { ...rest, limit: pageSize, continue: next });
      items.push(...page.items);
      next = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  create(resource: string, object: KubeObject, options?: RequestOptions): Promise<KubeObject> {
    const namespace = object.metadata?.namespace;
    return this.write({ verb: 'create', resource, namespace, body: object, options }) as Promise<KubeObject>;
  }

  update(resource: string, object: KubeObject, options?: RequestOptions & { subresource?: Subresource }): Promise<KubeObject> {
    const { subresource, ...rest } = options ?? {};
    const request: ApiRequest = {
      verb: 'update',
      resource,
      namespace: object.metadata?.namespace,
      name: object.metadata?.name,
      body: object,
      options: rest,
    };
    if (subresource) request.subresource = subresource;
    return this.write(request) as Promise<KubeObject>;
  }

  patch(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    patchType: PatchType = 'merge',
    options?: RequestOptions,
  ): Promise<KubeObject> {
    return this.write({ verb: 'patch', resource, namespace, name, body: patch, patchType, options }) as Promise<KubeObject>;
  }

  delete(resource: string, namespace: string | undefined, name: string, options?: RequestOptions): Promise<KubeObject> {
    return this.write({ verb: 'delete', resource, namespace, name, options }) as Promise<KubeObject>;
  }

  deleteCollection(resource: string, namespace?: string, options?: RequestOptions): Promise<ObjectList> {
    return this.write({ verb: 'deletecollection', resource, namespace, options }) as Promise<ObjectList>;
  }

  /**
   * Binds a pod to a node (pods/binding, as the scheduler does): 409 when the pod is
   * already bound, or when uid is given and the pod by that name is another one.
   */
  bind(namespace: string, name: string, nodeName: string, options: { uid?: string } = {}): Promise<KubeObject> {
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, ...(options.uid ? { uid: options.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    } as KubeObject;
    return this.write({ verb: 'create', resource: 'pods', subresource: 'binding', namespace, name, body }) as Promise<KubeObject>;
  }

  /** Evicts a pod (pods/eviction): a delete that honours PodDisruptionBudgets (429 when one forbids it). */
  evict(namespace: string, name: string, deleteOptions: { gracePeriodSeconds?: number; uid?: string } = {}): Promise<KubeObject> {
    const body: KubeObject = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
      deleteOptions: {
        ...(deleteOptions.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: deleteOptions.gracePeriodSeconds } : {}),
        ...(deleteOptions.uid ? { preconditions: { uid: deleteOptions.uid } } : {}),
      },
    } as KubeObject;
    return this.write({ verb: 'create', resource: 'pods', subresource: 'eviction', namespace, name, body }) as Promise<KubeObject>;
  }

  /** Events arrive in order; an ERROR event (410) ends the watch and means: re-list, then watch again. */
  watch(
    resource: string,
    namespace: string | undefined,
    options: RequestOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchStream> {
    return watchApi(this.nc, { verb: 'watch', resource, namespace, options }, onEvent);
  }

  /**
   * Sends a request exactly as given (tests use it to send what a well-behaved client would
   * not). A 429 that says when to retry (the API server's flow control) is retried after
   * that long, up to 10 times, as client-go does.
   */
  async send(request: ApiRequest): Promise<KubeObject | ObjectList> {
    for (let attempt = 1; ; attempt++) {
      const reply = await requestApi(this.nc, request, this.options.timeoutMs);
      if (reply.ok) return reply.body;
      const retryAfterSeconds = reply.status.code === 429 ? reply.status.details?.retryAfterSeconds : undefined;
      if (retryAfterSeconds === undefined || attempt >= MAX_THROTTLED_ATTEMPTS) throw fromStatus(reply.status);
      // Spread over [0.5, 1.5) x the wait, so the clients refused together do not all come back together.
      await new Promise((resolve) => setTimeout(resolve, retryAfterSeconds * 1000 * (0.5 + Math.random())));
    }
  }

  private async write(request: ApiRequest): Promise<KubeObject | ObjectList> {
    const manager = this.options.fieldManager;
    const options = manager && !request.options?.fieldManager && request.verb !== 'delete' && request.verb !== 'deletecollection' ? { ...request.options, fieldManager: manager } : request.options;
    const withId = { ...request, ...(options ? { options } : {}), requestId: request.requestId ?? randomUUID() };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(withId);
      } catch (error) {
        const retriable = error instanceof StatusError && (error.code === 504 || error.code === 503);
        if (!retriable || attempt >= this.options.writeAttempts) throw error;
      }
    }
  }
}

function withDefaults(options: ClientOptions): Required<Omit<ClientOptions, 'fieldManager'>> & Pick<ClientOptions, 'fieldManager'> {
  return { timeoutMs: options.timeoutMs ?? 30_000, writeAttempts: options.writeAttempts ?? 3, ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}) };
}
