import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseManifestText } from '../../src/cli/manifests.ts';

it('reads every document of a multi-document YAML, skipping empty ones', () => {
  const text = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: v\n`;
  const objects = parseManifestText(text, 'two.yaml');
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/a', 'ConfigMap/b']);
});

it('reads JSON, and the items of a List', () => {
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] });
  assert.deepEqual(parseManifestText(text, 'l.json').map((o) => o.kind), ['Secret']);
});

it('names the file and line of a YAML error', () => {
  assert.throws(() => parseManifestText('apiVersion: v1\nkind: [unclosed\n', 'bad.yaml'), /error parsing bad\.yaml \(line \d+\)/);
});

it('refuses a document without apiVersion or kind', () => {
  assert.throws(() => parseManifestText('metadata:\n  name: x\n', 'nokind.yaml'), /apiVersion and kind must be set/);
});
