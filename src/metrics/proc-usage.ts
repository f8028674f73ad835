/**
 * What a process-runtime node can measure from /proc, as the kubelet's summary API does
 * from cgroups: the CPU time and resident memory of every process of a container (its
 * process group), and the node's CPU time and memory in use. Parsing is pure; reading is
 * one pass over /proc per sample. CPU times are in seconds; rates come from two samples.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ and page size: the units of /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcessSample {
  pid: number;
  pgid: number;
  cpuSeconds: number;
  rssBytes: number;
}

/** /proc/<pid>/stat: the command may hold spaces and parentheses, so fields count from the last ')'. */
export function parseProcStat(text: string): ProcessSample | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15, rss 24.
  const pgid = Number(fields[2]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (![pid, pgid, utime, stime, rss].every(Number.isFinite)) return undefined;
  return { pid, pgid, cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: rss * PAGE_BYTES };
}

export interface NodeSample {
  /** CPU time spent not idle, over all cores. */
  busyCpuSeconds: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

/** /proc/stat's `cpu` line and /proc/meminfo's MemTotal - MemAvailable. */
export function parseNodeSample(stat: string, meminfo: string): NodeSample | undefined {
  const cpu = stat.split('\n').find((line) => line.startsWith('cpu '));
  if (!cpu) return undefined;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu.trim().split(/\s+/).slice(1).map(Number);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? NaN) * 1024;
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (!Number.isFinite(total) || !Number.isFinite(available)) return undefined;
  return { busyCpuSeconds: (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND, memoryUsedBytes: total - available, memoryTotalBytes: total };
}

/** Every process on the host, grouped by process group (a container is one group). */
export async function readProcessGroups(): Promise<Map<number, ProcessSample[]>> {
  const groups = new Map<number, ProcessSample[]>();
  const entries = await readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
        const sample = text ? parseProcStat(text) : undefined;
        if (!sample) return;
        const group = groups.get(sample.pgid) ?? [];
        group.push(sample);
        groups.set(sample.pgid, group);
      }),
  );
  return groups;
}

export async function readNodeSample(): Promise<NodeSample | undefined> {
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8').catch(() => ''), readFile('/proc/meminfo', 'utf8').catch(() => '')]);
  return parseNodeSample(stat, meminfo);
}
