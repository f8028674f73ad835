/**
 * One HTTP request, end to end: route it, authenticate it, then answer from the version,
 * health, discovery and OpenAPI v3 documents, or run it through the request pipeline (the
 * same one the NATS face uses; the scale subresource over its get and patch) and encode
 * the answer as the client asked: the object, a list, a Table, a Scale, or a watch
 * stream. Every failure leaves as a Status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, StatusError, unauthorized } from '../api/errors.ts';
import type { KubeObject } from '../api/object.ts';
import type { ResourceType } from '../api/resource-type.ts';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { ContainerLogReader, PodLogDeps } from '../apiserver/pod-log.ts';
import type { ObjectList, PatchType, WatchEvent } from '../apiserver/request.ts';
import type { Logger } from '../log.ts';
import { identifyRequest, isPublic, userInfoOf, type Authenticator, type Identity } from './auth.ts';
import { requestUrl } from './request-url.ts';
import { checkAccess } from '../auth/access-check.ts';
import { SYSTEM_MASTERS } from '../auth/attributes.ts';
import { decodeBody, readBody } from './body.ts';
import { aggregatedCore, aggregatedGroups, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.ts';
import { AGGREGATED_DISCOVERY_TYPE, bodyFormat, checkAcceptsJson, PROTOBUF_TYPE, wantedTable, wantsAggregatedDiscovery } from './media.ts';
import { openApiDocumentAt } from './openapi.ts';
import { JSON_TYPE, sendError, sendJson, sendText } from './respond.ts';
import { parseRoute, type ResourcePath, type Route } from './route.ts';
import { parseIncludeObject, tableOfList, tableOfObject, tableOf, type TableOptions } from './table.ts';
import { serveScale } from './scale.ts';
import { servePodLog } from './pod-log.ts';
import { answerHealth, type HealthCheck } from '../health/checks.ts';

const PING_ONLY: readonly HealthCheck[] = [{ name: 'ping', run: () => {} }];
import { notServed, resourceOf, toApiRequest, type HttpCall } from './to-request.ts';
import { versionInfo } from './version.ts';
import type { Dashboard } from '../dashboard/serve.ts';
import { serveWatch } from './watch-stream.ts';
import { arrivalNow, auditUnauthenticated, httpOrigin } from '../audit/http-origin.ts';
import { noteOrigin } from '../audit/origin.ts';
import type { AuditSink } from '../audit/writer.ts';
import { conversionOf } from '../api/served-versions.ts';
import { servedVersionPipeline } from './served-version.ts';

export interface HandlerDeps {
  pipeline: Pipeline;
  authenticator: Authenticator;
  /** host:port clients reach this server at, for /api's serverAddressByClientCIDRs. */
  serverAddress: () => string;
  logger: Logger;
  now?: () => Date;
  /** Container output for pods/log; without it the subresource is a 404. */
  containerLogs?: ContainerLogReader;
  /** The checks of /healthz, /livez and /readyz (default: ping only). */
  health?: readonly HealthCheck[];
  /** /metrics in Prometheus' text format; without it, a 404. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** The web dashboard at /dashboard; without it, a 404. */
  dashboard?: Dashboard;
  /** Where writes' audit records go (401s here; the rest through the audited pipeline). */
  audit?: AuditSink;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function createHandler(deps: HandlerDeps): Handler {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      const status = error instanceof StatusError ? error : undefined;
      // A client that hangs up mid-request is no failure of ours: there is nobody to answer.
      if (!status && req.destroyed) deps.logger.debug({ err: error, method: req.method, url: req.url }, 'client went away mid-request');
      else if (!status) deps.logger.error({ err: error, method: req.method, url: req.url }, 'HTTP request failed');
      // A 413 leaves the rest of the body unread: close the connection rather than drain it.
      sendError(res, error, status?.code === 413 ? { Connection: 'close' } : {});
    });
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrived = arrivalNow();
  const url = requestUrl(req.url);
  const route = parseRoute(url.pathname);
  // The dashboard's page loads without credentials (it holds the login form); its data asks for them.
  if (route.kind === 'dashboard') {
    if (!deps.dashboard) throw notServed('');
    const caller = await identifyRequest(deps.authenticator, req);
    const user = caller && userInfoOf(caller);
    // The dashboard's own data (/dashboard/api/) obeys the same RBAC as the API, for the same user.
    return deps.dashboard.serve(req, res, route.path, url.searchParams, user && { user, authorize: (attributes) => checkAccess(deps.pipeline, user, attributes) });
  }
  const identity = isPublic(route) ? undefined : await identifyRequest(deps.authenticator, req);
  if (!isPublic(route) && !identity) {
    if (deps.audit) auditUnauthenticated(deps.audit, req, route, arrived);
    throw unauthorized();
  }
  const method = req.method ?? 'GET';
  if (route.kind === 'resource') return handleResource(deps, req, res, route, url.searchParams, identity);
  // Discovery, OpenAPI and paths nobody serves obey RBAC's non-resource rules (system:discovery
  // is bound to system:authenticated only), so an anonymous caller gets a 403, not the documents.
  // system:masters skips the review, as kube-apiserver's privileged-group authorizer does.
  if (identity && route.kind !== 'metrics' && !identity.groups.includes(SYSTEM_MASTERS)) {
    await checkAccess(deps.pipeline, userInfoOf(identity), { verb: nonResourceVerb(method), path: url.pathname });
  }
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  if (route.kind === 'metrics') {
    if (identity) await checkAccess(deps.pipeline, userInfoOf(identity), { verb: 'get', path: '/metrics' });
    if (!deps.metrics) throw notServed('');
    const { contentType, body } = await deps.metrics();
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
    return void res.end(body);
  }
  if (route.kind === 'health') {
    const answer = await answerHealth(route.check, deps.health ?? PING_ONLY, url.searchParams, route.detail);
    return sendText(res, answer.code, answer.body);
  }
  return answerDocument(deps, req, res, route);
}

/** The RBAC verb of a non-resource request: the HTTP method in lower case (HEAD reads, as GET). */
function nonResourceVerb(method: string): string {
  return method === 'HEAD' ? 'get' : method.toLowerCase();
}

function answerDocument(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, route: Route): void {
  const accept = req.headers.accept;
  switch (route.kind) {
    case 'version':
      return sendJson(res, 200, versionInfo());
    case 'apiVersions':
      return wantsAggregatedDiscovery(accept)
        ? sendJson(res, 200, aggregatedCore(), AGGREGATED_DISCOVERY_TYPE)
        : sendJson(res, 200, apiVersions(deps.serverAddress()));
    case 'apiGroups':
      return wantsAggregatedDiscovery(accept)
        ? sendJson(res, 200, aggregatedGroups(), AGGREGATED_DISCOVERY_TYPE)
        : sendJson(res, 200, apiGroupList());
    case 'group':
      return sendOr404(res, apiGroup(route.group));
    case 'resourceList':
      return sendOr404(res, apiResourceList(route.group, route.version));
    case 'openapi':
      // /openapi/v2 stays a 404: kubectl 1.32 reads v3, and falls back without v2.
      return sendOr404(res, openApiDocumentAt(route.path));
    default:
      throw notServed('');
  }
}

/** .../scale: GET, PUT and PATCH of the workload's autoscaling/v1 Scale. */
async function answerScale(deps: HandlerDeps, res: ServerResponse, rt: ResourceType, call: HttpCall, identity?: Identity): Promise<void> {
  const watching = call.query.get('watch') === 'true' || call.query.get('watch') === '1' || call.route.watchPrefix;
  if (!['GET', 'HEAD', 'PUT', 'PATCH'].includes(call.method) || watching) {
    throw methodNotAllowed('the server does not allow this method on the requested resource');
  }
  const { subresource: _scale, ...workload } = call.route;
  const request = toApiRequest({ ...call, route: workload });
  if (identity) request.user = userInfoOf(identity);
  const { scale, warnings } = await serveScale(deps.pipeline, rt, request);
  sendJson(res, 200, scale, JSON_TYPE, warnings);
}

function deleteOptionsFormat(contentType: string | undefined): { kind: 'json' } | { kind: 'protobuf' } {
  return contentType?.split(';')[0]?.trim().toLowerCase() === PROTOBUF_TYPE ? { kind: 'protobuf' } : { kind: 'json' };
}

function podLogDeps(deps: HandlerDeps): PodLogDeps | undefined {
  if (!deps.containerLogs) return undefined;
  return { ...deps.containerLogs, pipeline: deps.pipeline, now: deps.now ?? (() => new Date()) };
}

function sendOr404(res: ServerResponse, document: unknown): void {
  if (document === undefined) throw notServed('');
  sendJson(res, 200, document);
}

async function handleResource(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, route: ResourcePath, query: URLSearchParams, identity?: Identity) {
  const arrived = arrivalNow();
  const method = req.method ?? 'GET';
  const accept = req.headers.accept;
  checkAcceptsJson(accept);
  const rt = resourceOf(route);
  // A version served by conversion (autoscaling/v1 HPAs over the stored v2) sees the pipeline through it.
  const served = conversionOf(rt);
  const pipeline = served ? servedVersionPipeline(deps.pipeline, served) : deps.pipeline;
  let body: unknown;
  let patchType: PatchType | undefined;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE') {
    const raw = await readBody(req);
    // A DELETE's DeleteOptions are JSON whatever the client labels them, except protobuf,
    // which client-go's typed clients send (kubectl drain deletes pods that way).
    const format = method === 'DELETE' ? deleteOptionsFormat(req.headers['content-type']) : bodyFormat(req.headers['content-type'], method === 'PATCH');
    if (format.kind === 'patch') patchType = format.patchType;
    body = decodeBody(raw, format);
  }
  const userAgent = req.headers['user-agent'];
  const call = { method, route, query, body, ...(patchType ? { patchType } : {}), ...(userAgent ? { userAgent } : {}) };
  if (route.subresource === 'scale' && rt.subresources.includes('scale')) return answerScale(deps, res, rt, call, identity);
  if (route.subresource === 'log' && rt.key === 'pods') {
    if (identity) await checkAccess(deps.pipeline, userInfoOf(identity), { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'log', ...(route.namespace ? { namespace: route.namespace } : {}), ...(route.name ? { name: route.name } : {}) });
    return servePodLog(podLogDeps(deps), req, res, route, query);
  }
  const request = toApiRequest(call);
  if (identity) request.user = userInfoOf(identity);
  if (deps.audit) noteOrigin(request, httpOrigin(req, arrived));

  const tableVersion = request.verb === 'get' || request.verb === 'list' || request.verb === 'watch' ? wantedTable(accept) : undefined;
  const tableOptions: TableOptions = {
    now: (deps.now ?? (() => new Date()))(),
    ...(tableVersion ? { version: tableVersion } : {}),
    ...(parseIncludeObject(query.get('includeObject')) ? { includeObject: parseIncludeObject(query.get('includeObject'))! } : {}),
  };
  const contentType = tableVersion ? `application/json;as=Table;v=${tableVersion};g=meta.k8s.io` : JSON_TYPE;

  if (request.verb === 'watch') {
    const encode = (event: WatchEvent) => {
      if (!tableVersion || event.type === 'ERROR') return event.object;
      const object = event.object as KubeObject;
      const options = { ...tableOptions, now: (deps.now ?? (() => new Date()))() };
      // A bookmark carries only a resourceVersion: an empty Table at that revision.
      if (event.type === 'BOOKMARK') return tableOf(rt, [], { resourceVersion: object.metadata.resourceVersion }, options);
      return tableOfObject(rt, object, options);
    };
    return serveWatch(req, res, pipeline, request, contentType, encode, deps.logger);
  }

  const reply = await pipeline.handle(request);
  if (!reply.ok) return sendJson(res, reply.status.code, reply.status);
  let answer: unknown = reply.body;
  if (tableVersion) {
    answer = request.verb === 'list' ? tableOfList(rt, reply.body as ObjectList, tableOptions) : tableOfObject(rt, reply.body as KubeObject, tableOptions);
  }
  sendJson(res, reply.code ?? 200, answer, contentType, reply.warnings ?? []);
}
