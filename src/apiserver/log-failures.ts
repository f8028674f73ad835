/**
 * The log's failures as the Statuses a client acts on. A 500 says "a bug, do not retry";
 * these are neither: the log did not answer in time (504 Timeout) or no JetStream answered
 * at all (503 ServiceUnavailable), and jetkube's clients, like client-go, retry both.
 * Anything else passes through unchanged.
 */
import { timeout, unavailable } from '../api/errors.ts';
import { LogTimeoutError, LogUnavailableError } from '../../streams/errors.ts';

export function statusOfLogFailure(error: unknown): unknown {
  if (error instanceof LogTimeoutError) {
    return timeout(`Timeout: the log did not answer in time (${error.operation}); the request may have been applied. Retry it`);
  }
  if (error instanceof LogUnavailableError) {
    return unavailable(`the log is unavailable (${error.message}); retry when nats-server answers again`);
  }
  return error;
}
