/**
 * The HTTP face as an actor the API server machine invokes in `serving`: it loads the
 * cluster PKI, listens (HTTPS, plus plain HTTP when an insecure address is configured)
 * and reports `http.listening` with the URLs, or `http.failed`. Leaving `serving` stops
 * it. Without an HTTP config it does nothing (the NATS face alone, as in most tests).
 */
import { fromCallback, type AnyEventObject } from 'xstate';
import type { ApiServerConnection } from '../apiserver/effects.ts';
import { containerLogReader } from '../../streams/logs-stream.ts';
import { openNodeStream as openNodeStreamOver } from '../../streams/node-stream.ts';
import type { OpenNodeStream } from './exec.ts';
import { apiServerChecks } from '../health/apiserver-checks.ts';
import { loadPki } from './pki.ts';
import { ApiClient } from '../client/api-client.ts';
import { ensureKubernetesService } from '../net/kubernetes-service.ts';
import { startHttpFace, type HttpFace } from './server.ts';
import { createDashboard } from '../dashboard/serve.ts';
import { followControllerStates } from '../../streams/controller-states.ts';
import { auditedPipeline } from '../audit/audited-pipeline.ts';
import { openAuditWriter } from '../audit/open-writer.ts';

export interface HttpFaceConfig {
  /** HOST:PORT of the HTTPS face (port 0: any free port). */
  address: string;
  /** Where `ensurePki` made the cluster certificates. */
  pkiDir: string;
  /** HOST:PORT of a plain-HTTP face without authentication, for local tests only. */
  insecureAddress?: string;
  /** Let requests without credentials in as system:anonymous (kube-apiserver's --anonymous-auth; default off). */
  anonymous?: boolean;
}

export interface ServeHttpInput {
  connection: ApiServerConnection;
  http?: HttpFaceConfig;
}

export type HttpFaceEvent = { type: 'http.listening'; url: string; insecureUrl?: string } | { type: 'http.failed'; message: string };

export const serveHttpFace = fromCallback<AnyEventObject, ServeHttpInput>(({ input, sendBack }) => {
  const { connection, http } = input;
  if (!http) return () => {};
  const logger = connection.logger.child({ face: 'http' });
  const faces: HttpFace[] = [];
  let stopped = false;
  let stopDashboard = () => {};

  void (async () => {
    const pki = await loadPki(http.pkiDir);
    // A face that finishes starting after the actor stopped is closed at once.
    const keep = (face: HttpFace) => {
      if (stopped) void face.close();
      else faces.push(face);
      return face;
    };
    const containerLogs = containerLogReader(connection.nc);
    const openNodeStream: OpenNodeStream = (node, request, onFrame) => openNodeStreamOver(connection.nc, node, request, onFrame);
    const health = apiServerChecks({
      store: connection.store,
      lastSeq: async () => (await connection.log.bounds()).lastSeq,
      draining: () => connection.nc.isClosed() || connection.nc.isDraining(),
    });
    const metrics = () => connection.metrics.exposition();
    const dashboard = createDashboard({
      log: connection.log,
      followControllerStates: (onReport) => {
        const subscription = followControllerStates(connection.nc, onReport);
        return () => subscription.unsubscribe();
      },
    });
    stopDashboard = () => dashboard.close();
    if (stopped) stopDashboard();
    // Every write that comes through this face is audited, refused ones (401 included) too.
    const { writer: audit } = await openAuditWriter(connection.nc, logger, connection.metrics.registry);
    const pipeline = auditedPipeline(connection.pipeline, audit, { logger, policy: connection.auditPolicy });
    const shared = { pipeline, audit, logger, containerLogs, openNodeStream, health, metrics, dashboard };
    const secure = keep(await startHttpFace({ ...shared, address: http.address, pki, ...(http.anonymous ? { anonymous: true } : {}) }));
    const insecure = http.insecureAddress
      ? keep(await startHttpFace({ ...shared, address: http.insecureAddress }))
      : undefined;
    if (stopped) return;
    logger.info({ url: secure.url, insecureUrl: insecure?.url }, 'serving the Kubernetes API over HTTPS');
    // The `kubernetes` Service in default names this HTTPS address, for pods that talk to the API.
    void ensureKubernetesService(ApiClient.over(connection.nc, { timeoutMs: 10_000 }), { address: secure.bound.host, port: secure.bound.port }).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not ensure the kubernetes Service; pods will not find the API at 127.96.0.1:443'),
    );
    const event: HttpFaceEvent = { type: 'http.listening', url: secure.url, ...(insecure ? { insecureUrl: insecure.url } : {}) };
    sendBack(event);
  })().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ err: error }, 'the HTTP face could not start');
    if (!stopped) sendBack({ type: 'http.failed', message } satisfies HttpFaceEvent);
    for (const face of faces.splice(0)) void face.close();
  });

  return () => {
    stopped = true;
    stopDashboard();
    for (const face of faces.splice(0)) void face.close();
  };
});
