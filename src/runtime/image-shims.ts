/**
 * Puts an image's bare-named programs (nginx, python, agnhost...) on the container's
 * PATH as small shell scripts that exec the host program standing for them, so a shell
 * inside the container finds them too (`sh -c 'nginx -t'`). One bin directory per image
 * under the runtime's root dir, written once per process.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalImage } from './images.ts';

const written = new Map<string, Promise<string>>();

export function imageBinDir(rootDir: string, image: LocalImage): Promise<string> {
  const dir = join(rootDir, 'images', image.names[0]!.replace(/[^A-Za-z0-9._-]/g, '_'), 'bin');
  let done = written.get(dir);
  if (!done) {
    done = writeShims(dir, image).then(() => dir);
    done.catch(() => written.delete(dir));
    written.set(dir, done);
  }
  return done;
}

async function writeShims(dir: string, image: LocalImage): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, argv] of Object.entries(image.programs ?? {})) {
    if (name.includes('/') || argv.length === 0) continue;
    const script = `#!/bin/sh\nexec ${argv.map(shellQuote).join(' ')} "$@"\n`;
    const path = join(dir, name);
    await writeFile(path, script);
    await chmod(path, 0o755);
  }
}

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
