/**
 * Authentication of the HTTPS face, minimal until the security issue adds RBAC: the
 * admin client certificate (verified against the cluster CA by TLS, then CN=admin and
 * O=system:masters) or the admin bearer token. Anything else is 401, except the
 * endpoints Kubernetes opens to everyone (system:public-info-viewer): /version and the
 * health checks. The plain-HTTP face is for local tests and trusts every caller, as
 * Kubernetes' old insecure port did; kubectl sends no credentials over http anyway.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ADMIN_GROUP, ADMIN_USER } from './pki.ts';
import type { Route } from './route.ts';

export interface Identity {
  user: string;
  groups: string[];
}

export interface Authenticator {
  authenticate(req: IncomingMessage): Identity | undefined;
}

export const ANONYMOUS_ADMIN: Identity = { user: ADMIN_USER, groups: [ADMIN_GROUP, 'system:authenticated'] };

export function isPublic(route: Route): boolean {
  return route.kind === 'version' || route.kind === 'health';
}

/** The admin credentials of the PKI; the TLS layer has already checked the certificate chain. */
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
