/**
 * The dashboard's time travel, server side: a summary of the event log (one row per
 * change, for the timeline) and the cluster as it was at any revision, folded from the
 * log with the replay's fold (src/replay/timeline.ts), so the past the dashboard shows is
 * the one `jetkube replay --at N` shows. Read-only; the summary is read once and then
 * extended from where it stopped, the folds start from the log's beginning each time
 * (cheap at dashboard sizes; the last one is cached).
 */
import type { KubeObject } from '../api/object.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { foldTo } from '../replay/timeline.ts';

export interface LogSource {
  read(options: { fromSeq: number; toSeq?: number }): AsyncIterable<LogEntry>;
  bounds(): Promise<{ firstSeq: number; lastSeq: number }>;
}

export interface TimelineRow {
  seq: number;
  time: number;
  type: string;
  resource: string;
  namespace: string;
  name: string;
}

export interface Timeline {
  firstSeq: number;
  lastSeq: number;
  rows: TimelineRow[];
}

export interface PastState {
  revision: number;
  time: number;
  /** Store key ("pods", "deployments.apps") -> the objects of that kind at the revision. */
  objects: Record<string, KubeObject[]>;
}

/** The kinds the dashboard's past view shows. */
export const PAST_KINDS = ['namespaces', 'nodes', 'deployments.apps', 'replicasets.apps', 'pods', 'services', 'events'] as const;

/** The most rows the timeline keeps: the newest ones. */
const MAX_ROWS = 20_000;

export function timelineRow(entry: LogEntry): TimelineRow {
  return {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    resource: entry.key.resource,
    namespace: entry.key.namespace,
    name: entry.key.name,
  };
}

export class DashboardHistory {
  private rows: TimelineRow[] = [];
  private readTo = 0;
  private reading: Promise<void> | undefined;
  private lastFold: { revision: number; state: Promise<PastState> } | undefined;

  constructor(private readonly log: LogSource) {}

  async timeline(): Promise<Timeline> {
    // One reader at a time; callers that arrive meanwhile share it.
    this.reading ??= this.catchUp().finally(() => (this.reading = undefined));
    await this.reading;
    const bounds = await this.log.bounds();
    return { firstSeq: bounds.firstSeq, lastSeq: Math.max(bounds.lastSeq, this.readTo), rows: this.rows };
  }

  stateAt(revision: number): Promise<PastState> {
    if (this.lastFold?.revision === revision) return this.lastFold.state;
    const state = this.fold(revision);
    this.lastFold = { revision, state };
    state.catch(() => (this.lastFold = undefined));
    return state;
  }

  private async catchUp(): Promise<void> {
    const { firstSeq, lastSeq } = await this.log.bounds();
    if (lastSeq <= this.readTo) return;
    for await (const entry of this.log.read({ fromSeq: Math.max(this.readTo + 1, firstSeq), toSeq: lastSeq })) {
      this.rows.push(timelineRow(entry));
      this.readTo = entry.seq;
    }
    if (this.rows.length > MAX_ROWS) this.rows = this.rows.slice(-MAX_ROWS);
  }

  private async fold(revision: number): Promise<PastState> {
    const { firstSeq } = await this.log.bounds();
    const folded = await foldTo(this.log.read({ fromSeq: firstSeq, toSeq: revision }), { revision });
    const objects: Record<string, KubeObject[]> = {};
    for (const kind of PAST_KINDS) objects[kind] = folded.store.list(kind).items;
    return { revision: folded.revision, time: folded.time, objects };
  }
}
