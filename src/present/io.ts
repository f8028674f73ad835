/**
 * Where a command writes its output and its diagnostics: the process's stdout and stderr,
 * or (in tests) strings, since the test runner's reporter owns process.stdout.
 */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const STDIO: CommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** An io that keeps what is written, for tests. */
export function memoryIo(): CommandIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}
