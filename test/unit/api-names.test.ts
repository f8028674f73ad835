import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  annotationsSize,
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isLabelValue,
  isQualifiedName,
  isValidPathSegmentName,
  isValidPortName,
  nameRuleFor,
  validateNameByRule,
} from '../../src/api/names.ts';
import { resourceByKey } from '../../src/api/registry.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('DNS names', () => {
  it('accepts a DNS-1123 subdomain and rejects uppercase with the Kubernetes message', () => {
    assert.deepEqual(isDNS1123Subdomain('web.example.com'), []);
    assert.deepEqual(isDNS1123Subdomain('Web'), [SUBDOMAIN_MSG]);
  });

  it('limits a subdomain to 253 characters', () => {
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(253)), []);
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  });

  it('limits a label to 63 characters and says "must not contain dots" for a subdomain', () => {
    assert.deepEqual(isDNS1123Label('a'.repeat(63)), []);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('-a'), [LABEL_MSG]);
  });

  it('requires a DNS-1035 label to start with a letter', () => {
    assert.deepEqual(isDNS1035Label('web'), []);
    assert.equal(isDNS1035Label('1web').length, 1);
    assert.match(isDNS1035Label('1web')[0]!, /^a DNS-1035 label must consist of/);
  });
});

describe('path segment names (RBAC)', () => {
  it('refuses "." and ".." and any "/" or "%"', () => {
    assert.deepEqual(isValidPathSegmentName('.'), ["may not be '.'"]);
    assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
    assert.deepEqual(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(isValidPathSegmentName('system:admin'), []);
  });

  it('allows "." as a generateName prefix', () => {
    assert.deepEqual(isValidPathSegmentName('.', true), []);
  });
});

describe('qualified names and label values', () => {
  it('accepts prefixed keys and checks each part', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('a/'), [
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    assert.equal(isQualifiedName('a/b/c').length, 1);
    assert.deepEqual(isQualifiedName('x'.repeat(64))[0], 'name part must be no more than 63 characters');
  });

  it('accepts an empty label value and rejects a trailing dash', () => {
    assert.deepEqual(isLabelValue(''), []);
    assert.match(isLabelValue('v1-')[0]!, /^a valid label must be an empty string or consist of/);
    assert.deepEqual(isLabelValue('x'.repeat(64))[0], 'must be no more than 63 characters');
  });

  it('counts annotation sizes in bytes of keys and values', () => {
    assert.equal(annotationsSize({ a: 'bc', é: '' }), 3 + 2);
  });
});

describe('config keys and port names', () => {
  it('checks config keys', () => {
    assert.deepEqual(isConfigMapKey('app.properties'), []);
    assert.match(isConfigMapKey('a b')[0]!, /^a valid config key must consist of alphanumeric characters, '-', '_' or '.'/);
    assert.deepEqual(isConfigMapKey('..'), ["must not be '..'"]);
  });

  it('checks IANA service names', () => {
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  });
});

describe('name rules per kind', () => {
  it('uses a label for Namespace, DNS-1035 for Service, path segments for RBAC and subdomains otherwise', () => {
    assert.equal(nameRuleFor(resourceByKey('namespaces')!), 'dns1123-label');
    assert.equal(nameRuleFor(resourceByKey('services')!), 'dns1035-label');
    assert.equal(nameRuleFor(resourceByKey('clusterroles.rbac.authorization.k8s.io')!), 'path-segment');
    assert.equal(nameRuleFor(resourceByKey('pods')!), 'dns1123-subdomain');
    assert.equal(nameRuleFor(resourceByKey('deployments.apps')!), 'dns1123-subdomain');
  });

  it('allows a trailing dash in a generateName prefix', () => {
    assert.deepEqual(validateNameByRule('dns1123-subdomain', 'web-', true), []);
    assert.equal(validateNameByRule('dns1123-subdomain', 'web-', false).length, 1);
  });
});
