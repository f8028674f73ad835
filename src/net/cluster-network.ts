/**
 * The cluster's address plan, spelled once. Everything lives in 127.0.0.0/8, which Linux
 * routes to loopback whole, so every pod, Service and the DNS server gets an address a
 * process can bind without privileges or network configuration:
 * - pods of real (process) nodes: 127.128.0.0/10, a /16 per node (src/kubelet/node-plan.ts);
 * - pods of simulated nodes: 10.0.0.0/8, a /24 per node (nothing binds them);
 * - Services: 127.96.0.0/16; the first address is the `kubernetes` Service, .10 the DNS;
 * - NodePorts: 30000-32767 on each node's address.
 */
export const CLUSTER_POD_CIDR = '127.128.0.0/10';
export const SIMULATED_POD_CIDR = '10.0.0.0/8';
export const SERVICE_CIDR = '127.96.0.0/16';
export const KUBERNETES_SERVICE_IP = '127.96.0.1';
export const CLUSTER_DNS_IP = '127.96.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
