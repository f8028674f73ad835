/**
 * The channel protocol of kubectl exec and attach (v4/v5.channel.k8s.io): every binary
 * WebSocket message is one byte naming the channel, then the data. Channels 0-2 are
 * stdin, stdout and stderr, 3 carries the final Status (JSON), 4 terminal resizes; in v5
 * a message on 255 closes the channel named by its next byte (stdin's end of input).
 * The same frames travel over NATS between the API server and the kubelet, so the relay
 * does not translate anything.
 */
import type { Status } from '../api/errors.ts';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
/** kubectl port-forward's WebSocket subprotocol: SPDY/3.1 frames inside binary messages. */
export const PORT_FORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

export function frame(channel: number, data: Uint8Array | string = new Uint8Array()): Uint8Array {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
}

export function parseFrame(message: Uint8Array): { channel: number; data: Uint8Array } | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0]!, data: message.subarray(1) };
}

/** The Status a finished command reports on channel 3, as the kubelet writes it. */
export function exitStatus(exitCode: number, command: string[]): Status {
  if (exitCode === 0) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } as Status;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  } as Status;
}

/** A failure before or instead of an exit code (no such container, runtime error). */
export function errorStatus(message: string, code = 500): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code } as Status;
}

/** A resize message's body: {"Width": cols, "Height": rows}. */
export function parseResize(data: Uint8Array): { width: number; height: number } | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as { Width?: number; Height?: number };
    if (typeof value.Width === 'number' && typeof value.Height === 'number') return { width: value.Width, height: value.Height };
  } catch {
    // A malformed resize is ignored, as the kubelet does.
  }
  return undefined;
}
