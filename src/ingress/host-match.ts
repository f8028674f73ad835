/**
 * Ingress hosts: a rule's host is a DNS name matched exactly (case-insensitively), or a
 * wildcard `*.example.com` that matches exactly one more DNS label in front of the
 * suffix (`a.example.com`, not `example.com` nor `a.b.example.com`), as the Ingress API
 * defines. The request's host comes from its Host header, without the port. Pure.
 */

/** `Example.com:8080` -> `example.com`; `[::1]:80` -> `::1`; a trailing dot is dropped. */
export function requestHostOf(hostHeader: string | undefined): string {
  let host = (hostHeader ?? '').trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    host = end < 0 ? host.slice(1) : host.slice(1, end);
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export function isWildcardHost(host: string): boolean {
  return host.startsWith('*.');
}

/** The suffix a wildcard host stands for: `*.example.com` -> `example.com`. */
export function wildcardSuffix(host: string): string {
  return host.slice(2).toLowerCase();
}

/** The wildcard suffix a request host would match under (`a.example.com` -> `example.com`), if it has one more label. */
export function wildcardSuffixOfRequest(requestHost: string): string | undefined {
  const dot = requestHost.indexOf('.');
  if (dot <= 0 || dot === requestHost.length - 1) return undefined;
  return requestHost.slice(dot + 1);
}

export function hostMatches(ruleHost: string, requestHost: string): boolean {
  if (!ruleHost) return true;
  if (isWildcardHost(ruleHost)) return wildcardSuffixOfRequest(requestHost) === wildcardSuffix(ruleHost);
  return ruleHost.toLowerCase() === requestHost;
}
