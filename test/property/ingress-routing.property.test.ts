/**
 * Properties of ingress path routing over generated paths: Prefix matching ignores
 * trailing slashes and accepts exactly the element-wise prefixes, and the route chosen
 * for a request is always a matching rule of maximal length, Exact first on a tie.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject } from '../../src/api/object.ts';
import { pathMatches, prefixMatches } from '../../src/ingress/path-match.ts';
import { buildRoutingTable, routeRequest } from '../../src/ingress/routing-table.ts';

const element = fc.constantFrom('a', 'b', 'ab', 'api', 'v1');
const elements = fc.array(element, { maxLength: 4 });
const toPath = (parts: string[], trailingSlash = false) => `/${parts.join('/')}${trailingSlash && parts.length > 0 ? '/' : ''}`;

describe('ingress routing properties', () => {
  it('Prefix matches exactly the element-wise prefixes, whatever the trailing slashes', () => {
    fc.assert(
      fc.property(elements, elements, fc.boolean(), fc.boolean(), (prefix, request, slashA, slashB) => {
        const expected = prefix.length <= request.length && prefix.every((e, i) => request[i] === e);
        assert.equal(prefixMatches(toPath(prefix, slashA), toPath(request, slashB)), expected);
      }),
    );
  });

  it('the chosen route is a matching rule no other matching rule outranks', () => {
    const rule = fc.record({ parts: elements, exact: fc.boolean(), slash: fc.boolean() });
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 6 }), elements, fc.boolean(), (rules, request, slash) => {
        const paths = rules.map((r, i) => ({ path: toPath(r.parts, r.slash), pathType: r.exact ? 'Exact' : 'Prefix', backend: { service: { name: `s${i}`, port: { number: 80 } } } }));
        const ingress: KubeObject = {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'p', namespace: 'default' },
          spec: { ingressClassName: 'c', rules: [{ http: { paths } }] },
        };
        const ingressClass: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'c' }, spec: { controller: 'x/y' } };
        const table = buildRoutingTable({ ingresses: [ingress], ingressClasses: [ingressClass], services: [], endpointSlices: [] }, 'x/y');
        const requestPath = toPath(request, slash);
        const matching = paths.filter((p) => pathMatches(p.pathType === 'Exact' ? 'Exact' : 'Prefix', p.path, requestPath));
        const match = routeRequest(table, 'any.host', requestPath);
        if (matching.length === 0) return assert.equal(match.kind, 'none');
        assert.equal(match.kind, 'backend');
        if (match.kind !== 'backend') return;
        const chosen = match.route;
        assert.ok(pathMatches(chosen.type, chosen.path, requestPath));
        for (const other of matching) {
          assert.ok(other.path.length <= chosen.path.length, `${other.path} is longer than ${chosen.path}`);
          if (other.path.length === chosen.path.length && other.pathType === 'Exact') assert.equal(chosen.type, 'Exact');
        }
      }),
    );
  });
});
