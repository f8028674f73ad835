/**
 * Who may do what on NATS: one user per component, with the subjects it may publish to
 * and subscribe to. nats.conf is rendered from this table (src/natsd/config.ts), and a
 * test keeps the committed file equal to the rendering, so the table is the one place
 * a permission is decided.
 *
 * The rule that matters most: only the API server publishes to `registry.>` (it is the
 * only writer of the log) and only it and the admin touch JetStream at all (`$JS.>`,
 * `$O.>`): a kubelet or a controller reaches objects through the API's request/reply
 * face (`api.<user>.>`), which authorizes and validates, and never reads the log (Secrets
 * included) directly, neither by a core subscription on `registry.>` nor by a consumer
 * or a direct get through the JetStream API.
 *
 * Each API client publishes its requests only under its own name, `api.<user>.>`: the API
 * server takes the caller's Kubernetes identity from that token (src/auth/nats-identity.ts)
 * and RBAC decides, so a kubelet that forges `api.admin.>` is refused by nats-server
 * itself (a permissions violation) before any API server sees the request.
 *
 * All kubelets share one user: nats-server's users are static configuration (a new node
 * would need a config reload), and what tells one node from another (a kubelet may only
 * touch its own Node and pods) belongs to the API's authorizer, as Kubernetes' Node
 * authorizer, not to subject permissions.
 */

export const NATS_USERS = ['apiserver', 'controller-manager', 'scheduler', 'kubelet', 'kube-proxy', 'dns', 'ingress', 'admin'] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export interface SubjectRules {
  allow: readonly string[];
  /** Spelled out even where `allow` already leaves it out: the intent survives a widened allow list. */
  deny?: readonly string[];
}

export interface UserPermissions {
  /** One line for nats.conf: why this user exists. */
  about: string;
  publish: SubjectRules;
  subscribe: SubjectRules;
}

/** Every inbox: the API server answers and streams to all of them. */
const INBOXES = '_INBOX.>';
/**
 * A user's own inboxes: connectNats gives each user the prefix `_INBOX.<user>`, so no
 * component reads the answers another one gets (a controller manager's list of Secrets).
 */
const own = (user: NatsUser) => `_INBOX.${user}.>`;
/** An API client: requests on `api.<user>.<verb>.<resource>` (its own name only), watch keep-alives on `apiwatch.<id>.*`. */
const apiClientPublish = (user: NatsUser) => [`api.${user}.>`, 'apiwatch.>'] as const;
/** What no component but the API server (and the admin) may touch: the log, the audit trail and JetStream itself. */
const LOG_AND_JETSTREAM = ['registry.>', 'audit.>', '$JS.>', '$O.>', '$KV.>'] as const;

export const PERMISSIONS: Readonly<Record<NatsUser, UserPermissions>> = {
  apiserver: {
    about: 'the API server: the only writer of the registry log and the audit trail; serves api.>, reads LOGS, keeps snapshots',
    publish: {
      allow: [
        'registry.>', // appends to the log (a JetStream publish is a core publish on the stream subject)
        'audit.>', // the audit trail (AUDIT stream)
        '$JS.>', // the JetStream API, acks and flow control of its consumers
        '$O.>', // the snapshot object store
        INBOXES, // answers, watch events, exec frames for the client
        ...apiClientPublish('apiserver'), // its own client (the kubernetes Service, bootstrap objects): trusted
        'node.*.stream', // opens exec/attach/port-forward sessions on a kubelet
      ],
    },
    subscribe: {
      allow: [
        'api.>',
        'apiwatch.>',
        INBOXES,
        'metrics.kubelet.*', // node usage for kubectl top
        'controllers.states.*', // the dashboard's controller states
        'jetkube.>', // the operator's requests: jetkube.snapshot.take, jetkube.encryption.rewrite
      ],
    },
  },
  'controller-manager': {
    about: 'the controller manager: an API client that also reports its controllers\' states',
    publish: { allow: [...apiClientPublish('controller-manager'), 'controllers.states.*'], deny: LOG_AND_JETSTREAM },
    subscribe: { allow: [own('controller-manager')], deny: LOG_AND_JETSTREAM },
  },
  scheduler: {
    about: 'the scheduler: an API client',
    publish: { allow: [...apiClientPublish('scheduler')], deny: LOG_AND_JETSTREAM },
    subscribe: { allow: [own('scheduler')], deny: LOG_AND_JETSTREAM },
  },
  kubelet: {
    about: 'every kubelet (one user for all nodes): an API client that ships container output and usage, and serves exec sessions',
    publish: {
      allow: [
        ...apiClientPublish('kubelet'),
        'logs.>', // container output into the LOGS stream, as core publishes
        'metrics.kubelet.*', // its node's usage report
        '_INBOX.apiserver.>', // exec/attach/port-forward frames back to the API server
      ],
      deny: LOG_AND_JETSTREAM,
    },
    subscribe: { allow: [own('kubelet'), 'node.*.stream'], deny: [...LOG_AND_JETSTREAM, 'logs.>'] },
  },
  'kube-proxy': {
    about: 'kube-proxy: an API client',
    publish: { allow: [...apiClientPublish('kube-proxy')], deny: LOG_AND_JETSTREAM },
    subscribe: { allow: [own('kube-proxy')], deny: LOG_AND_JETSTREAM },
  },
  dns: {
    about: 'the cluster DNS: an API client',
    publish: { allow: [...apiClientPublish('dns')], deny: LOG_AND_JETSTREAM },
    subscribe: { allow: [own('dns')], deny: LOG_AND_JETSTREAM },
  },
  ingress: {
    about: 'the ingress controller: an API client',
    publish: { allow: [...apiClientPublish('ingress')], deny: LOG_AND_JETSTREAM },
    subscribe: { allow: [own('ingress')], deny: LOG_AND_JETSTREAM },
  },
  admin: {
    // Everything, requests under any name included: the operator is the cluster's admin (system:masters) anyway.
    about: 'the operator: jetkube CLI commands (get, apply, export, import, compact, replay, audit, snapshots, encryption rewrite)',
    publish: { allow: ['>'] },
    subscribe: { allow: ['>'] },
  },
};

/** NATS subject matching: `*` is one token, a trailing `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Whether nats-server lets `user` publish to (or subscribe to) a concrete subject: allowed and not denied. */
export function permits(user: NatsUser, operation: 'publish' | 'subscribe', subject: string): boolean {
  const rules = PERMISSIONS[user][operation];
  return rules.allow.some((p) => subjectMatches(p, subject)) && !(rules.deny ?? []).some((p) => subjectMatches(p, subject));
}
