/**
 * The kubelet's end of kubectl exec: a session request from the API server names a pod
 * and container; the command runs in that container (its runtime's execStream) with the
 * channels relayed, and the exit code goes back as the final Status frame, as the
 * kubelet's streaming server does.
 */
import { StatusError } from '../api/errors.ts';
import type { Logger } from '../log.ts';
import type { RunningContainer } from '../runtime/runtime.ts';
import { CLOSE, exitStatus, frame, errorStatus, parseFrame, STATUS, STDERR, STDIN, STDOUT } from './channel-protocol.ts';
import { GONE, type NodeStreamHandler, type NodeStreamRequest, type NodeStreamSession } from '../../streams/node-stream.ts';

/** The running container of a pod on this node, if there is one. */
export type FindContainer = (namespace: string, pod: string, uid: string, container: string) => RunningContainer | undefined;

export function execHandler(findContainer: FindContainer, logger: Logger): NodeStreamHandler {
  return {
    check: (request) => void execContainer(request, findContainer),
    start: (session) => startExec(session, execContainer(session.request, findContainer), logger),
  };
}

function execContainer(request: NodeStreamRequest, findContainer: FindContainer): RunningContainer & Required<Pick<RunningContainer, 'execStream'>> {
  if (request.kind !== 'exec') throw new StatusError(400, 'BadRequest', `${request.kind} is not supported by this kubelet yet`);
  const container = findContainer(request.namespace, request.pod, request.uid, request.container ?? '');
  if (!container) throw new StatusError(404, 'NotFound', `container not found ("${request.container ?? ''}")`);
  const execStream = container.execStream?.bind(container);
  if (!execStream) throw new StatusError(400, 'BadRequest', 'this runtime cannot exec into containers');
  return Object.assign(Object.create(container) as RunningContainer, { execStream });
}

function startExec(session: NodeStreamSession, container: Required<Pick<RunningContainer, 'execStream'>>, logger: Logger): void {
  const { request } = session;
  const command = request.command ?? [];
  const exec = container.execStream(command, {
    stdin: request.stdin,
    tty: request.tty,
    onOutput: (stream, data) => {
      if (stream === 'stdout' && request.stdout) session.send(frame(STDOUT, data));
      // With a tty, stderr is merged into stdout, as on a terminal.
      if (stream === 'stderr' && (request.stderr || request.tty)) session.send(frame(request.tty ? STDOUT : STDERR, data));
    },
  });
  session.onFrame((message) => {
    const parsed = parseFrame(message);
    if (!parsed) return;
    if (parsed.channel === STDIN) exec.write(parsed.data);
    else if (parsed.channel === CLOSE && parsed.data[0] === STDIN) exec.endInput();
    else if (parsed.channel === GONE) exec.kill();
  });
  void exec.exited.then(
    (code) => {
      session.send(frame(STATUS, JSON.stringify(exitStatus(code, command))));
      session.end();
    },
    (error: unknown) => {
      logger.warn({ err: error, pod: request.pod }, 'exec failed');
      session.send(frame(STATUS, JSON.stringify(errorStatus(String(error)))));
      session.end();
    },
  );
}
