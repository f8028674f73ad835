/**
 * The message of a pod that fits nowhere, exactly as kube-scheduler's FitError.Error():
 * "0/N nodes are available: " + every reason of every rejected node counted, formatted
 * "<count> <reason>", sorted as strings and joined with ", ", then ".", then the
 * PostFilter (preemption) message if there is one (a PreFilter's rejection replaces the
 * counted reasons with its own message):
 *   0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: },
 *   2 Insufficient memory. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.
 */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function fitErrorMessage(numAllNodes: number, reasonsPerNode: Iterable<readonly string[]>, postFilterMessage?: string, preFilterMessage?: string): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (preFilterMessage) {
    // A PreFilter rejected the pod: its message stands for every node.
    message += ` ${preFilterMessage}.`;
    return postFilterMessage ? `${message} ${postFilterMessage}` : message;
  }
  const histogram = new Map<string, number>();
  for (const reasons of reasonsPerNode) for (const reason of reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
  // Go's sort.Strings: byte order, so "10 ..." sorts before "2 ...", as kube-scheduler prints it.
  const sorted = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
  if (sorted.length > 0) message += ` ${sorted.join(', ')}.`;
  if (postFilterMessage) message += ` ${postFilterMessage}`;
  return message;
}
