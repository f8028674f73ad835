/**
 * Asks a DNS server the way a person would, with Debian's `dig`, and reads its answer:
 * the status and flags of the header, and the records of each section as
 * `name ttl class type data` lines.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

export interface DigAnswer {
  status: string;
  flags: string[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
}

export async function dig(server: { address: string; port: number }, args: string[]): Promise<DigAnswer> {
  const { stdout } = await run('dig', [`@${server.address}`, '-p', String(server.port), '+tries=1', '+time=3', '+nocookie', ...args]);
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'NONE';
  const flags = (/;; flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/);
  const sections: Record<string, DigRecord[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: DigRecord[] | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (header) {
      current = sections[header[1]!];
      continue;
    }
    if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') current = undefined;
      continue;
    }
    const [name, ttl, , type, ...data] = line.trim().split(/\s+/);
    current?.push({ name: name!, ttl: Number(ttl), type: type!, data: data.join(' ') });
  }
  return { status, flags, answer: sections.ANSWER!, authority: sections.AUTHORITY!, additional: sections.ADDITIONAL! };
}
