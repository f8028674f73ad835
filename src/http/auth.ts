/**
 * Authentication of the HTTPS face: plugins tried in order, as kube-apiserver's union
 * authenticator. (1) a client certificate the TLS layer verified against the cluster CA
 * (CN = user, O = groups); (2) a bearer token: the admin token, a static token from the
 * token file (<data-dir>/tokens.csv), or a ServiceAccount JWT (signature, dates, then the
 * ServiceAccount and bound pod still exist with the uids signed); (3) anonymous, off by
 * default. Credentials that are given but bad are a 401 even with anonymous on.
 * Authenticated users get system:authenticated, anonymous ones system:unauthenticated.
 * /version and the health checks are open to everyone (system:public-info-viewer). The
 * plain-HTTP face is for local tests and trusts every caller as a cluster admin, as
 * Kubernetes' old insecure port did.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { KubeObject } from '../api/object.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import { ANONYMOUS_USER, AUTHENTICATED, UNAUTHENTICATED, withAuthenticated, type UserInfo } from '../auth/attributes.ts';
import { looksLikeJwt, tokenVerifier, type ServiceAccountTokenVerifier } from '../auth/service-account-token.ts';
import { parseTokenFile } from '../auth/token-file.ts';
import { ADMIN_GROUP, ADMIN_USER, type Pki } from './pki.ts';
import type { Route } from './route.ts';

export interface Identity {
  user: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface Authenticator {
  /** Certificates and static tokens, synchronously (the exec upgrade path asks this way). */
  authenticate(req: IncomingMessage): Identity | undefined;
  /** Every plugin, ServiceAccount tokens included (they need the store): the request handler asks this way. */
  identify?(req: IncomingMessage): Promise<Identity | undefined>;
}

/** The token file's name under the data dir (the PKI's parent), as --token-auth-file. */
export const TOKEN_FILE = 'tokens.csv';

/** Who the request is: identify() when the authenticator has it, else authenticate(). */
export async function identifyRequest(authenticator: Authenticator, req: IncomingMessage): Promise<Identity | undefined> {
  return authenticator.identify ? authenticator.identify(req) : authenticator.authenticate(req);
}

/** The pipeline's view of an identity. */
export function userInfoOf(identity: Identity): UserInfo {
  return { name: identity.user, groups: identity.groups, ...(identity.uid ? { uid: identity.uid } : {}), ...(identity.extra ? { extra: identity.extra } : {}) };
}

export interface ClusterAuthenticatorOptions {
  /** Reads ServiceAccounts and pods for the token check (default: the trusted pipeline's get). */
  lookup?: (resource: 'serviceaccounts' | 'pods', namespace: string, name: string) => Promise<KubeObject | undefined>;
  /** The static token file (default <pki dir>/../tokens.csv; missing: no static tokens). */
  tokenFile?: string;
  /** Let requests without credentials in as system:anonymous (default off). */
  anonymous?: boolean;
  now?: () => Date;
}

/** The HTTPS face's authenticator: certificates of any user, static tokens, ServiceAccount tokens, anonymous when on. */
export function clusterAuthenticator(pki: Pki, pipeline: Pipeline, options: ClusterAuthenticatorOptions = {}): Authenticator {
  const certificates = certificateIdentities();
  const staticTokens = loadStaticTokens(options.tokenFile ?? join(dirname(pki.dir), TOKEN_FILE));
  const verifier: Promise<ServiceAccountTokenVerifier> = tokenVerifier(pki.serviceAccountPub);
  const lookup = options.lookup ?? pipelineLookup(pipeline);
  const now = options.now ?? (() => new Date());
  const syncPlugins = (req: IncomingMessage): Identity | undefined | 'bad' | 'jwt' => {
    const fromCertificate = certificates(req);
    if (fromCertificate) return fromCertificate;
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return req.headers.authorization ? 'bad' : undefined;
    const fixed = identityFromBearer(`Bearer ${token}`, pki.adminToken) ?? staticTokens.get(token);
    if (fixed) return fixed;
    return looksLikeJwt(token) ? 'jwt' : 'bad';
  };
  const anonymousOrNothing = (): Identity | undefined => (options.anonymous ? { user: ANONYMOUS_USER, groups: [UNAUTHENTICATED] } : undefined);
  return {
    authenticate(req) {
      const found = syncPlugins(req);
      if (found === 'bad' || found === 'jwt') return undefined;
      return found ?? anonymousOrNothing();
    },
    async identify(req) {
      const found = syncPlugins(req);
      if (found === 'bad') return undefined;
      if (found === 'jwt') return serviceAccountIdentity(await verifier, lookup, bearerToken(req.headers.authorization)!, now());
      return found ?? anonymousOrNothing();
    },
  };
}

/** A verified client certificate's subject, any user: read once per connection (it never changes). */
function certificateIdentities(): (req: IncomingMessage) => Identity | undefined {
  const bySocket = new WeakMap<TLSSocket, Identity | null>();
  return (req) => {
    const socket = req.socket as TLSSocket;
    if (!socket.encrypted || !socket.authorized) return undefined;
    let identity = bySocket.get(socket);
    if (identity === undefined) {
      identity = userFromSubject(socket.getPeerCertificate()?.subject as Record<string, string | string[]> | undefined) ?? null;
      bySocket.set(socket, identity);
    }
    return identity ?? undefined;
  };
}

/** Any verified certificate's subject -> its user (CN) and groups (every O). */
export function userFromSubject(subject: Record<string, string | string[]> | undefined): Identity | undefined {
  const cn = subject?.CN;
  if (typeof cn !== 'string' || cn === '') return undefined;
  const groups = subject!.O === undefined ? [] : Array.isArray(subject!.O) ? subject!.O : [subject!.O];
  return { user: cn, groups: withAuthenticated(groups) };
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/** The token file, read again when it changes (a stat per token that is not the admin's); missing: no tokens. */
function loadStaticTokens(path: string): { get(token: string): Identity | undefined } {
  let seen = -1;
  let tokens = new Map<string, Identity>();
  return {
    get(token) {
      const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (mtime !== seen) {
        seen = mtime;
        tokens = new Map();
        if (mtime > 0) {
          for (const [value, user] of parseTokenFile(readFileSync(path, 'utf8'))) {
            tokens.set(value, { user: user.name, groups: withAuthenticated(user.groups), ...(user.uid ? { uid: user.uid } : {}) });
          }
        }
      }
      return tokens.get(token);
    },
  };
}

function pipelineLookup(pipeline: Pipeline): NonNullable<ClusterAuthenticatorOptions['lookup']> {
  return async (resource, namespace, name) => {
    try {
      const reply = await pipeline.handle({ verb: 'get', resource, namespace, name });
      return reply.ok ? (reply.body as KubeObject) : undefined;
    } catch {
      return undefined;
    }
  };
}

/** A valid JWT whose ServiceAccount (and bound pod) still exist with the uids it was signed for. */
async function serviceAccountIdentity(
  verifier: ServiceAccountTokenVerifier,
  lookup: NonNullable<ClusterAuthenticatorOptions['lookup']>,
  token: string,
  now: Date,
): Promise<Identity | undefined> {
  const claims = await verifier.verify(token, now);
  if (!claims) return undefined;
  const account = await lookup('serviceaccounts', claims.namespace, claims.serviceAccount.name);
  if (!account || account.metadata.uid !== claims.serviceAccount.uid || account.metadata.deletionTimestamp) return undefined;
  if (claims.pod) {
    const pod = await lookup('pods', claims.namespace, claims.pod.name);
    // A terminating pod's token stays good: its kubelet still needs it while the containers stop.
    if (!pod || pod.metadata.uid !== claims.pod.uid) return undefined;
  }
  return {
    user: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount.name}`,
    uid: claims.serviceAccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${claims.namespace}`, AUTHENTICATED],
    ...(claims.pod ? { extra: { 'authentication.kubernetes.io/pod-name': [claims.pod.name], 'authentication.kubernetes.io/pod-uid': [claims.pod.uid] } } : {}),
  };
}

export const ANONYMOUS_ADMIN: Identity = { user: ADMIN_USER, groups: [ADMIN_GROUP, 'system:authenticated'] };

export function isPublic(route: Route): boolean {
  return route.kind === 'version' || route.kind === 'health';
}

/** The admin credentials of the PKI only (what the HTTPS face used before RBAC); the TLS layer has already checked the certificate chain. */
export function adminAuthenticator(adminToken: string): Authenticator {
  // A connection's peer certificate never changes; reading it was ~7% of a GET's CPU: read it once per connection.
  const bySocket = new WeakMap<TLSSocket, Identity | null>();
  return {
    authenticate(req) {
      const socket = req.socket as TLSSocket;
      if (socket.encrypted && socket.authorized) {
        let identity = bySocket.get(socket);
        if (identity === undefined) {
          identity = identityFromSubject(socket.getPeerCertificate()?.subject as Record<string, string | string[]> | undefined) ?? null;
          bySocket.set(socket, identity);
        }
        if (identity) return identity;
      }
      return identityFromBearer(req.headers.authorization, adminToken);
    },
  };
}

export const trustEveryone: Authenticator = { authenticate: () => ANONYMOUS_ADMIN };

/** A verified client certificate's subject -> who it is, if it is the admin's. */
export function identityFromSubject(subject: Record<string, string | string[]> | undefined): Identity | undefined {
  if (!subject) return undefined;
  const cn = subject.CN;
  const groups = subject.O === undefined ? [] : Array.isArray(subject.O) ? subject.O : [subject.O];
  if (cn !== ADMIN_USER || !groups.includes(ADMIN_GROUP)) return undefined;
  return { user: cn, groups: [...groups, 'system:authenticated'] };
}

export function identityFromBearer(header: string | undefined, adminToken: string): Identity | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match || adminToken === '') return undefined;
  const given = Buffer.from(match[1]!);
  const wanted = Buffer.from(adminToken);
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? ANONYMOUS_ADMIN : undefined;
}
