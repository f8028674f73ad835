import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_IMAGES, containerArgv, normalizeImage, resolveImage, type LocalImage } from '../../src/runtime/images.ts';
import { ImagePullError } from '../../src/runtime/runtime.ts';

describe('normalizeImage', () => {
  for (const [input, expected] of [
    ['nginx', { repository: 'nginx', tag: 'latest' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['library/nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['registry.example.test/library/nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['localhost/busybox', { repository: 'busybox', tag: 'latest' }],
    ['localhost:5000/team/app:v2', { repository: 'team/app', tag: 'v2' }],
    ['mirror.example.test:5000/pause:3.10', { repository: 'pause', tag: '3.10' }],
    ['ealen/echo-server:0.9', { repository: 'ealen/echo-server', tag: '0.9' }],
    [`busybox@sha256:${'a'.repeat(64)}`, { repository: 'busybox', digest: `sha256:${'a'.repeat(64)}` }],
    [`busybox:1.36@sha256:${'b'.repeat(64)}`, { repository: 'busybox', tag: '1.36', digest: `sha256:${'b'.repeat(64)}` }],
    ['images.example.test/e2e-test-images/agnhost:2.53', { repository: 'e2e-test-images/agnhost', tag: '2.53' }],
  ] as const) {
    it(`normalises ${input}`, () => assert.deepEqual(normalizeImage(input), expected));
  }
});

describe('resolveImage', () => {
  it('finds every documented image under its common spellings', () => {
    for (const reference of ['busybox', 'busybox:1.36', 'alpine:3.20', 'debian:12', 'ubuntu:24.04', 'nginx:1.27-alpine', 'node:20', 'python:3.12-slim', 'pause:3.10', 'agnhost:2.53', 'echoserver:2.5', 'library/alpine']) {
      const resolved = resolveImage(DEFAULT_IMAGES, reference);
      assert.equal(resolved.info.image, reference);
      assert.match(resolved.info.imageID, /@sha256:[0-9a-f]{64}$/);
    }
    assert.deepEqual(resolveImage(DEFAULT_IMAGES, 'k8s.example.test/pause:3.10').image.entrypoint, ['/pause']);
  });

  it('gives the same image ID to every tag of one image, and different IDs to different images', () => {
    assert.equal(resolveImage(DEFAULT_IMAGES, 'nginx:1.25').info.imageID, resolveImage(DEFAULT_IMAGES, 'nginx:1.27').info.imageID);
    assert.notEqual(resolveImage(DEFAULT_IMAGES, 'nginx').info.imageID, resolveImage(DEFAULT_IMAGES, 'busybox').info.imageID);
  });

  it('throws ImagePullError worded as a missing image is, for an unknown image', () => {
    assert.throws(
      () => resolveImage(DEFAULT_IMAGES, 'registry.example.test/acme/widget:2'),
      (error: unknown) => {
        assert.ok(error instanceof ImagePullError);
        assert.equal(error.image, 'registry.example.test/acme/widget:2');
        assert.equal(
          error.message,
          'rpc error: code = NotFound desc = failed to pull and unpack image "acme/widget:2": failed to resolve reference "acme/widget:2": acme/widget:2: not found',
        );
        return true;
      },
    );
    assert.throws(() => resolveImage(DEFAULT_IMAGES, 'someone/nginx'), ImagePullError, 'another repository of the same last name is not nginx');
  });
});

describe('containerArgv', () => {
  const image: LocalImage = {
    names: ['demo'],
    entrypoint: ['/entry.sh'],
    cmd: ['serve', '--port=80'],
    programs: { '/entry.sh': [], serve: ['/usr/bin/node', 'serve.mjs'], tool: ['/opt/tool'] },
    description: 'test',
  };
  it('runs ENTRYPOINT + CMD when the pod gives neither', () => {
    assert.deepEqual(containerArgv(image, undefined, undefined), ['/usr/bin/node', 'serve.mjs', '--port=80']);
  });
  it('replaces CMD with args alone', () => {
    assert.deepEqual(containerArgv(image, undefined, ['tool', '-v']), ['/opt/tool', '-v']);
  });
  it('replaces ENTRYPOINT and drops CMD with command', () => {
    assert.deepEqual(containerArgv(image, ['sh', '-c', 'echo'], undefined), ['sh', '-c', 'echo']);
    assert.deepEqual(containerArgv(image, ['sh'], ['-c', 'echo hi']), ['sh', '-c', 'echo hi']);
  });
  it('runs the host program standing for an image program', () => {
    assert.deepEqual(containerArgv(resolveImage(DEFAULT_IMAGES, 'python').image, ['python', '-V'], undefined), ['python3', '-V']);
    const nginx = containerArgv(resolveImage(DEFAULT_IMAGES, 'nginx').image, undefined, undefined);
    assert.equal(nginx[0], process.execPath);
    assert.match(nginx[1]!, /src\/runtime\/images\/nginx\.mjs$/);
    assert.deepEqual(nginx.slice(2), ['-g', 'daemon off;']);
  });
});
