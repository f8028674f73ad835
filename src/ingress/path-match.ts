/**
 * How an Ingress path matches a request path, as networking.k8s.io/v1 defines it:
 * Exact is a case-sensitive string compare; Prefix compares path elements (the labels
 * between `/`), so `/foo/bar` matches `/foo/bar`, `/foo/bar/` and `/foo/bar/baz` but not
 * `/foo/barbaz`, and a trailing `/` on either side does not matter. ImplementationSpecific
 * is ours to define: we treat it as Prefix (an empty path is `/`). Pure.
 */

export type MatchType = 'Exact' | 'Prefix';

export function matchTypeOf(pathType: string | undefined): MatchType {
  return pathType === 'Exact' ? 'Exact' : 'Prefix';
}

/** The path a rule matches on; ImplementationSpecific rules may leave it empty. */
export function rulePath(path: string | undefined): string {
  return path && path.length > 0 ? path : '/';
}

function elements(path: string): string[] {
  return path.split('/').filter((element) => element.length > 0);
}

export function prefixMatches(prefix: string, requestPath: string): boolean {
  const wanted = elements(prefix);
  const actual = elements(requestPath);
  if (wanted.length > actual.length) return false;
  return wanted.every((element, i) => actual[i] === element);
}

export function pathMatches(type: MatchType, path: string, requestPath: string): boolean {
  return type === 'Exact' ? requestPath === path : prefixMatches(path, requestPath);
}

/** The path part of a request target (`/a/b?x=1` -> `/a/b`); absolute-form targets lose their origin. */
export function requestPathOf(url: string | undefined): string {
  let target = url ?? '/';
  if (!target.startsWith('/')) {
    // absolute-form (`http://host/path`), sent to proxies
    const schemeEnd = target.indexOf('://');
    const pathStart = schemeEnd < 0 ? -1 : target.indexOf('/', schemeEnd + 3);
    target = pathStart < 0 ? '/' : target.slice(pathStart);
  }
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}
