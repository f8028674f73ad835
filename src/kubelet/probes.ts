/**
 * One probe run, as kubelet's prober does it: exec (through the runtime), httpGet (a
 * real HTTP GET to the pod's address or probe.host; 200-399 passes) and tcpSocket (a
 * connect). A run that passes its timeout fails. Under the simulated runtime nothing
 * listens, so httpGet and tcpSocket pass (as kwok's pods report ready); exec asks the
 * simulated container. The counting of runs is probe-tracker.ts.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { RunningContainer } from '../runtime/runtime.ts';
import { resolvePort, type ProbeHandler } from './probe-spec.ts';

export interface ProbeTarget {
  podIP: string;
  container: Record<string, unknown>;
  running: RunningContainer;
  simulated: boolean;
}

export interface ProbeOutcome {
  ok: boolean;
  message?: string;
}

export async function runProbe(handler: ProbeHandler, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  switch (handler.type) {
    case 'exec':
      return execProbe(handler.command, target.running, timeoutMs);
    case 'httpGet':
      if (target.simulated) return { ok: true };
      return httpProbe(handler, target, timeoutMs);
    case 'tcpSocket':
      if (target.simulated) return { ok: true };
      return tcpProbe(handler.host ?? target.podIP, resolvePort(handler.port, target.container), timeoutMs);
    default: {
      const never: never = handler;
      throw new Error(`unknown probe handler ${JSON.stringify(never)}`);
    }
  }
}

async function execProbe(command: string[], running: RunningContainer, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const result = await running.exec(command, { timeoutMs });
    if (result.timedOut) return { ok: false, message: `command ${JSON.stringify(command.join(' '))} timed out` };
    if (result.exitCode === 0) return { ok: true };
    const output = `${result.stdout}${result.stderr}`.trim();
    return { ok: false, message: output || `command ${JSON.stringify(command.join(' '))} exited with ${result.exitCode}` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function httpProbe(handler: Extract<ProbeHandler, { type: 'httpGet' }>, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const host = handler.host ?? target.podIP;
  const port = resolvePort(handler.port, target.container);
  const scheme = handler.scheme === 'HTTPS' ? 'https' : 'http';
  const url = `${scheme}://${host}:${port ?? handler.port}${handler.path.startsWith('/') ? '' : '/'}${handler.path}`;
  if (port === undefined) return Promise.resolve({ ok: false, message: `port ${handler.port} not found` });
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of handler.headers) headers[h.name] = h.value;
    const send = scheme === 'https' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (error) => resolve({ ok: false, message: `Get "${url}": ${describeNetError(error, host, port)}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number | undefined, timeoutMs: number): Promise<ProbeOutcome> {
  if (port === undefined) return Promise.resolve({ ok: false, message: 'port not found' });
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => socket.destroy(new Error('i/o timeout')));
    socket.once('error', (error) => resolve({ ok: false, message: describeNetError(error, host, port) }));
  });
}

function describeNetError(error: Error, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${host}:${port}: connect: no route to host`;
  return `dial tcp ${host}:${port}: ${error.message}`;
}
