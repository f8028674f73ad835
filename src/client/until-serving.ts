/**
 * Waits until an API server answers on NATS and has created its system namespaces: for
 * programs that start an API server themselves (benchmarks, tests) and must not send
 * their first write before it serves. No answer yet (503, 504) or no `default` namespace
 * yet (404) means: ask again shortly.
 */
import { StatusError } from '../api/errors.ts';
import type { ApiClient } from './api-client.ts';

const RETRY_MS = 50;

export async function untilServing(client: ApiClient): Promise<void> {
  for (;;) {
    try {
      await client.get('namespaces', undefined, 'default');
      return;
    } catch (error) {
      if (!(error instanceof StatusError && [404, 503, 504].includes(error.code))) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
