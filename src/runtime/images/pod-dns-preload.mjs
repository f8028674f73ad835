// `node --import <this file>`: any Node.js program run in a pod (the node image) resolves
// names through the pod's etc/resolv.conf and etc/hosts under $JETKUBE_ROOT, as the
// image programs do (pod-dns.mjs). Outside a pod root it changes nothing.
import { installPodDns } from './pod-dns.mjs';

installPodDns();
