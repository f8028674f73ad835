/**
 * Where the kubelet sends container output. The kubelet only calls append (never
 * awaits a write per line); the JetStream implementation ships lines to the LOGS stream
 * (streams/logs-stream.ts), tests may keep them in memory.
 */
import type { OutputStream } from '../runtime/runtime.ts';

export interface ContainerLogLine {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  /** The container's restartCount when it wrote the line: `kubectl logs --previous` reads attempt - 1. */
  attempt: number;
  stream: OutputStream;
  text: string;
  time: Date;
}

export interface ContainerLogSink {
  append(line: ContainerLogLine): void;
  /** Resolves once every appended line is stored. */
  flush(): Promise<void>;
}

/** Keeps lines in memory (tests, and the simulated runtime at scale when logs are off). */
export class MemoryLogSink implements ContainerLogSink {
  readonly lines: ContainerLogLine[] = [];
  append(line: ContainerLogLine): void {
    this.lines.push(line);
  }
  async flush(): Promise<void> {}
}
