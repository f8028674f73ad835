// Name resolution for jetkube's image programs, as a container's libc would do it: the
// pod has no mount namespace, so its /etc/resolv.conf and /etc/hosts are files under
// $JETKUBE_ROOT/etc/ (written by the process runtime), and the process's own resolver
// (getaddrinfo, which reads the host's files) would miss the cluster DNS. installPodDns()
// replaces dns.lookup (which http, net, tls and fetch all call) with one that reads
// those files: the hosts file first, then the pod's nameservers with the search list
// and ndots as glibc applies them:
//   - a name ending in '.' is asked as it is;
//   - a name with at least ndots dots is asked as it is first, then with each search
//     domain; one with fewer dots with each search domain first, then as it is;
//   - NXDOMAIN and NODATA move on to the next candidate; the first addresses found win.
// A nameserver may carry a port (`127.96.0.10:5353`), a jetkube extension for a cluster
// DNS that runs unprivileged. Without a resolv.conf under the root nothing is changed.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export function parseResolvConf(text) {
  const conf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const [keyword, ...fields] = trimmed.split(/\s+/);
    if (keyword === 'nameserver' && fields[0]) conf.nameservers.push(fields[0]);
    if (keyword === 'search') conf.searches = fields.map((s) => (s.endsWith('.') && s !== '.' ? s.slice(0, -1) : s));
    if (keyword === 'options') conf.options = fields;
  }
  return conf;
}

export function ndotsOf(conf) {
  const option = conf.options.find((o) => o.startsWith('ndots:'));
  const value = option ? Number(option.slice('ndots:'.length)) : 1;
  return Number.isInteger(value) ? Math.min(Math.max(value, 0), 15) : 1;
}

/** The names a resolver asks, in order, for `name` under this search list. */
export function candidateNames(name, searches, ndots) {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const suffixed = searches.filter((s) => s && s !== '.').map((s) => `${name}.${s}`);
  const dots = name.split('.').length - 1;
  return dots >= ndots ? [name, ...suffixed] : [...suffixed, name];
}

/** hosts(5): name (lowercased) -> addresses, in file order. */
export function parseHosts(text) {
  const byName = new Map();
  for (const line of text.split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!ip || !isIP(ip)) continue;
    for (const name of names) {
      const key = name.toLowerCase();
      if (!byName.has(key)) byName.set(key, []);
      byName.get(key).push(ip);
    }
  }
  return byName;
}

function lookupError(hostname, code = 'ENOTFOUND') {
  const error = new Error(`getaddrinfo ${code} ${hostname}`);
  error.code = code;
  error.errno = code === 'ENOTFOUND' ? -3008 : -3001;
  error.syscall = 'getaddrinfo';
  error.hostname = hostname;
  return error;
}

const NOT_FOUND = new Set([dns.NOTFOUND, dns.NODATA, 'ENOTFOUND', 'ENODATA']);

/** A lookup(hostname, options) -> Promise<[{address, family}]> over the pod's files. */
export function podResolver(root) {
  const conf = parseResolvConf(readFileSync(join(root, 'etc', 'resolv.conf'), 'utf8'));
  let hosts = new Map();
  try {
    hosts = parseHosts(readFileSync(join(root, 'etc', 'hosts'), 'utf8'));
  } catch {
    // no hosts file: DNS only
  }
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 2 });
  if (conf.nameservers.length > 0) resolver.setServers(conf.nameservers);
  const ndots = ndotsOf(conf);

  return async function resolve(hostname, family = 0) {
    const wanted = (ip) => family === 0 || isIP(ip) === family;
    if (isIP(hostname)) return [{ address: hostname, family: isIP(hostname) }];
    const fromHosts = (hosts.get(hostname.toLowerCase().replace(/\.$/, '')) ?? []).filter(wanted);
    if (fromHosts.length > 0) return fromHosts.map((address) => ({ address, family: isIP(address) }));
    if (conf.nameservers.length === 0) throw lookupError(hostname);
    let failure;
    for (const candidate of candidateNames(hostname, conf.searches, ndots)) {
      for (const fam of family === 6 ? [6] : family === 4 ? [4] : [4, 6]) {
        try {
          const addresses = fam === 4 ? await resolver.resolve4(candidate) : await resolver.resolve6(candidate);
          if (addresses.length > 0) return addresses.map((address) => ({ address, family: fam }));
        } catch (error) {
          if (!NOT_FOUND.has(error.code)) failure = error;
        }
      }
    }
    throw lookupError(hostname, failure ? 'EAI_AGAIN' : 'ENOTFOUND');
  };
}

/** Makes dns.lookup (and so http, net, fetch) resolve through the pod's files; false when the root has no resolv.conf. */
export function installPodDns(root = process.env.JETKUBE_ROOT) {
  let resolve;
  try {
    if (!root) return false;
    resolve = podResolver(root);
  } catch {
    return false;
  }
  const familyOf = (options) => (typeof options === 'number' ? options : Number(options?.family === 'IPv6' ? 6 : options?.family === 'IPv4' ? 4 : options?.family ?? 0));
  const lookup = (hostname, options, callback) => {
    if (typeof options === 'function') [callback, options] = [options, {}];
    resolve(hostname, familyOf(options)).then(
      (addresses) => (options?.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family)),
      (error) => callback(error),
    );
  };
  dns.lookup = lookup;
  dns.promises.lookup = async (hostname, options = {}) => {
    const addresses = await resolve(hostname, familyOf(options));
    return options?.all ? addresses : addresses[0];
  };
  return true;
}
