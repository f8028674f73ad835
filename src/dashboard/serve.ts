/**
 * /dashboard on the API server's HTTP face. The page and its scripts are public (the
 * login form must load); everything the page shows comes from the Kubernetes API with
 * the user's bearer token, so what the API allows is what the dashboard shows. What the
 * API cannot answer (the log's timeline, the cluster at a past revision, the controllers'
 * machine states) is served here under /dashboard/api/, to the same users under the same
 * RBAC: each path is a non-resource URL the caller must be allowed to `get`
 * (DASHBOARD_PERMISSIONS; cluster-admin's `*` covers them, `view`, `edit` and namespaced
 * Roles do not).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, methodNotAllowed, unauthorized } from '../api/errors.ts';
import { sendJson } from '../http/respond.ts';
import { readAsset } from './assets.ts';
import { DashboardHistory, type LogSource } from './history.ts';
import { ControllerStatesBoard } from './controller-states.ts';
import type { ControllerStatesReport } from '../../streams/controller-states.ts';
import type { NonResourceAttributes, UserInfo } from '../auth/attributes.ts';

/** Who asks, as the HTTP face authenticated them, and RBAC's answer for them. */
export interface DashboardCaller {
  user: UserInfo;
  /** Throws Kubernetes' 403 unless the caller may. */
  authorize(attributes: Omit<NonResourceAttributes, 'user'>): Promise<void>;
}

/**
 * The non-resource URL each part of /dashboard/api/ asks `get` on. Time travel is one
 * permission (the timeline and the states it shows): it reads every object of every
 * namespace as it was, Secrets included, so it is as strong as reading the whole cluster.
 */
export const DASHBOARD_PERMISSIONS: Readonly<Record<string, string>> = {
  timeline: '/dashboard/api/timeline',
  state: '/dashboard/api/timeline',
  controllers: '/dashboard/api/controllers',
};

export interface Dashboard {
  /** `path` is what follows /dashboard ("", "/app.js", "/api/timeline"); `caller` is undefined without valid credentials. */
  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, caller: DashboardCaller | undefined): Promise<void>;
}

export interface DashboardSources {
  log: LogSource;
  /** The controller managers' state reports as they arrive; returns the unsubscribe. */
  followControllerStates?: (onReport: (report: ControllerStatesReport) => void) => () => void;
}

export function createDashboard(sources: DashboardSources): Dashboard & { close(): void } {
  const history = new DashboardHistory(sources.log);
  const board = new ControllerStatesBoard();
  const unfollow = sources.followControllerStates?.((report) => board.record(report));
  return {
    close: () => unfollow?.(),
    async serve(req, res, path, query, caller) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('the dashboard is read-only here: writes go through the API');
      if (path === '') {
        // Relative URLs in the page resolve under /dashboard/.
        res.writeHead(301, { Location: '/dashboard/' });
        return void res.end();
      }
      if (path.startsWith('/api/')) {
        if (!caller) throw unauthorized();
        const what = path.slice('/api/'.length);
        const permission = DASHBOARD_PERMISSIONS[what];
        if (permission) await caller.authorize({ verb: 'get', path: permission });
        return answerApi(history, board, req, res, what, query);
      }
      const asset = await readAsset(path);
      if (!asset) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return void res.end('not found\n');
      }
      res.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': String(asset.body.length), 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}

async function answerApi(history: DashboardHistory, board: ControllerStatesBoard, req: IncomingMessage, res: ServerResponse, what: string, query: URLSearchParams): Promise<void> {
  switch (what) {
    case 'controllers':
      if (query.get('watch') !== '1' && query.get('watch') !== 'true') return sendJson(res, 200, { items: board.reports() });
      return streamControllerStates(board, req, res);
    case 'timeline':
      return sendJson(res, 200, await history.timeline());
    case 'state': {
      const revision = Number(query.get('revision'));
      if (!Number.isSafeInteger(revision) || revision < 0) throw badRequest('revision must be a non-negative integer');
      const kinds = query.getAll('kind').filter((k) => k !== '');
      const namespace = query.get('namespace') || undefined;
      return sendJson(res, 200, await history.stateAt(revision, { ...(kinds.length > 0 ? { kinds } : {}), ...(namespace ? { namespace } : {}) }));
    }
    default:
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
  }
}

/** One JSON line of every manager's report now, then one per change, until the client leaves. */
function streamControllerStates(board: ControllerStatesBoard, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache', 'Transfer-Encoding': 'chunked' });
  const send = (items: ControllerStatesReport[]) => res.write(`${JSON.stringify({ items })}\n`);
  send(board.reports());
  const unlisten = board.listen(send);
  // A silent manager is forgotten by time, not by a message: look again now and then.
  const sweep = setInterval(() => send(board.reports()), 10_000);
  req.socket.once('close', () => {
    unlisten();
    clearInterval(sweep);
  });
}
