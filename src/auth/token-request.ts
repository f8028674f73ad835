/**
 * POST serviceaccounts/<name>/token: a TokenRequest -> a signed, expiring token for that
 * ServiceAccount, bound to a pod when boundObjectRef names one (the pod must exist, with
 * the uid given). Nothing is written to the log: the token is the record, and it dies
 * with its ServiceAccount or pod (the authenticator checks both on every use).
 */
import { badRequest, notFound } from '../api/errors.ts';
import { isPlainObject, type KubeObject } from '../api/object.ts';
import type { ApiDeps } from '../apiserver/deps.ts';
import type { ApiReply, ApiRequest } from '../apiserver/request.ts';
import { DEFAULT_AUDIENCE, type ServiceAccountTokenIssuer } from './service-account-token.ts';

/** Kubernetes' defaults: an hour; at least ten minutes; we cap at a day (no --service-account-max-token-expiration). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 24 * 3600;

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

export async function createTokenRequest(deps: Pick<ApiDeps, 'store' | 'now'>, issuer: ServiceAccountTokenIssuer | undefined, request: ApiRequest): Promise<ApiReply> {
  if (!issuer) throw notFound('serviceaccounts/token', '', request.name ?? '');
  const namespace = request.namespace ?? '';
  const name = request.name ?? '';
  const account = deps.store.get('serviceaccounts', namespace, name);
  if (!account) throw notFound('serviceaccounts', '', name);
  const body = isPlainObject(request.body) ? request.body : {};
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (TokenRequest)`);
  const spec = (isPlainObject(body.spec) ? body.spec : {}) as TokenRequestSpec;
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS) {
    throw badRequest(`spec.expirationSeconds: Invalid value: ${String(expirationSeconds)}: may not specify a duration less than 10 minutes`);
  }
  const pod = boundPod(deps, namespace, spec.boundObjectRef);
  const now = Math.floor(deps.now().getTime() / 1000);
  const expiresAt = now + Math.min(expirationSeconds, MAX_EXPIRATION_SECONDS);
  const audiences = spec.audiences && spec.audiences.length > 0 ? spec.audiences : [DEFAULT_AUDIENCE];
  const token = await issuer.sign({
    namespace,
    serviceAccount: { name, uid: account.metadata.uid ?? '' },
    ...(pod ? { pod } : {}),
    audiences,
    issuedAt: now,
    expiresAt,
  });
  const reply = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds: expiresAt - now, ...(spec.boundObjectRef ? { boundObjectRef: spec.boundObjectRef } : {}) },
    status: { token, expirationTimestamp: new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  } as unknown as KubeObject;
  return { ok: true, body: reply, code: 201 };
}

function boundPod(deps: Pick<ApiDeps, 'store'>, namespace: string, ref: TokenRequestSpec['boundObjectRef']): { name: string; uid: string } | undefined {
  if (!ref) return undefined;
  if (ref.kind !== 'Pod') throw badRequest(`spec.boundObjectRef.kind: Unsupported value: "${String(ref.kind)}": supported values: "Pod"`);
  const pod = deps.store.get('pods', namespace, ref.name ?? '');
  if (!pod) throw notFound('pods', '', ref.name ?? '');
  if (ref.uid && ref.uid !== pod.metadata.uid) throw badRequest(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  return { name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}
