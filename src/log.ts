/**
 * One pino logger per component. LOG_LEVEL sets the level (default info; tests default
 * to warn so their output stays readable). Logs go to stderr so that command output on
 * stdout stays clean for scripts.
 */
import { pino, type Logger } from 'pino';

const root = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'warn' : 'info'),
    base: { pid: process.pid },
  },
  pino.destination({ fd: 2, sync: true }),
);

export type { Logger };

export function componentLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}
