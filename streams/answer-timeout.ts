/**
 * How long jetkube waits for JetStream's answer to a write, a stream info or a direct get
 * (nats.js waits 5 s). A loaded Node.js process stalls its event loop for seconds (a major
 * GC of a multi-GiB heap, a long synchronous step), and after a stall its expired timers
 * can run before the answers that wait in its socket are read: at 5,000 nodes on 2 cores,
 * every 5-10 s stall of an API server failed the writes and reads it had in flight, though
 * nats-server had answered them, and each failure came back as a retry that added load.
 * kube-apiserver likewise gives etcd most of a request's 60 s. Kept under the API
 * clients' 30 s, so that they hear the API server's answer rather than their own timeout.
 */
export const JETSTREAM_ANSWER_TIMEOUT_MS = 20_000;
