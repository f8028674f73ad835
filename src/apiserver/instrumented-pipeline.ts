/**
 * The pipeline with its requests counted and timed (src/metrics/apiserver-metrics.ts):
 * both faces share it, so a NATS request and an HTTPS one are counted alike (component
 * label "apiserver"). A thrown StatusError counts with its code, anything else as 500.
 */
import { toStatusError } from '../api/errors.ts';
import type { ApiServerMetrics } from '../metrics/apiserver-metrics.ts';
import type { Pipeline } from './pipeline.ts';

export function instrumentedPipeline(pipeline: Pipeline, metrics: ApiServerMetrics): Pipeline {
  return {
    async handle(request) {
      const end = metrics.begin(request, 'apiserver');
      try {
        const reply = await pipeline.handle(request);
        end(reply.ok ? (reply.code ?? 200) : reply.status.code);
        return reply;
      } catch (error) {
        end(toStatusError(error).code);
        throw error;
      }
    },
    async watch(request, send, ended) {
      const end = metrics.begin(request, 'apiserver');
      let closed: (() => void) | undefined;
      let endedEarly = false;
      try {
        const session = await pipeline.watch(request, send, () => {
          if (closed) closed();
          else endedEarly = true;
          ended();
        });
        end(200);
        if (!endedEarly) closed = metrics.watchOpened(request);
        return {
          stop() {
            closed?.();
            session.stop();
          },
        };
      } catch (error) {
        end(toStatusError(error).code);
        throw error;
      }
    },
  };
}
