/**
 * The HTTP face's listening socket: HTTPS with the cluster's serving certificate, asking
 * for (but not requiring) a client certificate signed by the cluster CA, so a token
 * caller is let in too; or plain HTTP, only when asked for explicitly, for local tests.
 * start resolves with the bound address (port 0 picks a free one); close stops accepting
 * and cuts open connections, watches included.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Pipeline } from '../apiserver/pipeline.ts';
import type { ContainerLogReader } from '../apiserver/pod-log.ts';
import type { Logger } from '../log.ts';
import { dialUrl, formatHostPort, parseHostPort, type HostPort } from './address.ts';
import { clusterAuthenticator, trustEveryone } from './auth.ts';
import { createUpgradeHandler, type OpenNodeStream } from './exec.ts';
import { createHandler } from './handler.ts';
import type { HealthCheck } from '../health/checks.ts';
import type { Pki } from './pki.ts';
import type { Dashboard } from '../dashboard/serve.ts';
import type { AuditSink } from '../audit/writer.ts';

export interface HttpFaceOptions {
  /** HOST:PORT to listen on. */
  address: string;
  pipeline: Pipeline;
  logger: Logger;
  /** The cluster PKI for HTTPS; without it the face is plain HTTP and trusts every caller. */
  pki?: Pki;
  /** Container output for pods/log. */
  containerLogs?: ContainerLogReader;
  /** Sessions with kubelets for pods/exec. */
  openNodeStream?: OpenNodeStream;
  /** The checks of /healthz, /livez and /readyz. */
  health?: readonly HealthCheck[];
  /** /metrics in Prometheus' text format. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** The web dashboard at /dashboard. */
  dashboard?: Dashboard;
  /** Where audit records of writes refused before the pipeline (401) go; pass the audited pipeline too. */
  audit?: AuditSink;
  /** With the PKI: let requests without credentials in as system:anonymous, for RBAC to judge (default off). */
  anonymous?: boolean;
}

export interface HttpFace {
  bound: HostPort;
  /** What a client on this machine dials: "https://127.0.0.1:6443". */
  url: string;
  close(): Promise<void>;
}

export async function startHttpFace(options: HttpFaceOptions): Promise<HttpFace> {
  const wanted = parseHostPort(options.address);
  let bound = wanted;
  const authenticator = options.pki ? clusterAuthenticator(options.pki, options.pipeline, { anonymous: options.anonymous === true }) : trustEveryone;
  const handler = createHandler({
    pipeline: options.pipeline,
    authenticator,
    serverAddress: () => formatHostPort(bound),
    logger: options.logger,
    ...(options.containerLogs ? { containerLogs: options.containerLogs } : {}),
    ...(options.health ? { health: options.health } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.dashboard ? { dashboard: options.dashboard } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
  });
  const server: Server = options.pki
    ? createHttpsServer(
        {
          cert: options.pki.serverCert,
          key: options.pki.serverKey,
          ca: options.pki.caCert,
          requestCert: true,
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2',
        },
        handler,
      )
    : createHttpServer(handler);
  server.on(
    'upgrade',
    createUpgradeHandler({
      pipeline: options.pipeline,
      authenticator,
      logger: options.logger,
      ...(options.openNodeStream ? { openNodeStream: options.openNodeStream } : {}),
    }),
  );
  // Watches are long-lived: no request timeout; keep-alive as Go's client expects.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted.port, wanted.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  bound = { host: address.address, port: address.port };
  server.on('error', (error) => options.logger.error({ err: error }, 'HTTP face error'));
  server.on('tlsClientError', (error) => options.logger.debug({ err: error }, 'TLS handshake failed'));

  return {
    bound,
    url: dialUrl(options.pki ? 'https' : 'http', bound),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
