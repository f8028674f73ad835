/**
 * A component's memory and CPU as Linux reports them: peak resident set (VmHWM, what
 * "peak memory" means in the scale run), current RSS, and CPU seconds used (utime +
 * stime). Read from /proc, so it costs the component nothing.
 */
import { readFile } from 'node:fs/promises';

export interface ProcessStats {
  rssMiB: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

export async function processStats(pid: number): Promise<ProcessStats | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    // The fields after the command name (which may hold spaces) start after its closing parenthesis.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssMiB: Math.round(kib('VmRSS') / 1024), peakRssMiB: Math.round(kib('VmHWM') / 1024), cpuSeconds: Number((ticks / CLOCK_TICKS_PER_SECOND).toFixed(1)) };
  } catch {
    return undefined;
  }
}
