/**
 * Reading an ordered consumer the way `kubectl logs` and `jetkube audit` want it: every
 * message stored when the read began, then (with follow) the new ones as they arrive.
 * `caughtUp` is called once, when the backlog has been delivered (at once when there is
 * none). Aborting the signal or ending the iteration deletes the consumer.
 */
import type { Consumer, JsMsg } from 'nats';

export interface ConsumeOptions {
  follow?: boolean;
  signal?: AbortSignal;
  maxMessages: number;
}

export async function* consumeToEnd(consumer: Consumer, options: ConsumeOptions, caughtUp: () => void): AsyncGenerator<JsMsg> {
  try {
    const info = await consumer.info(true);
    let behind = info.num_pending > 0;
    if (!behind) {
      caughtUp();
      if (!options.follow) return;
    }
    if (options.signal?.aborted) return;
    const messages = await consumer.consume({ max_messages: options.maxMessages });
    const stop = () => messages.stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const m of messages) {
        yield m;
        if (behind && m.info.pending === 0) {
          behind = false;
          caughtUp();
          if (!options.follow) return;
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
      messages.stop();
    }
  } finally {
    await consumer.delete().catch(() => false);
  }
}
