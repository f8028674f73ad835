/**
 * The dashboard's time travel, server side: a summary of the event log (one row per
 * change, for the timeline) and the cluster as it was at any revision, folded from the
 * log with the replay's fold (src/replay/timeline.ts), so the past the dashboard shows is
 * the one `jetkube replay --at N` shows: every kind the log holds, filtered by kind and
 * namespace as the page asks. Read-only; the summary is read once and then
 * extended from where it stopped, the folds start from the log's beginning each time
 * (cheap at dashboard sizes; the last one is cached).
 */
import type { KubeObject } from '../api/object.ts';
import type { LogEntry } from '../store/log-entry.ts';
import { foldTo } from '../replay/timeline.ts';
import type { ObjectStore } from '../store/object-store.ts';

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
  /** Every kind in the store at the revision (store key -> live objects), whatever the filter. */
  kinds: Record<string, number>;
  /** Store key ("pods", "deployments.apps") -> the objects of that kind at the revision, as filtered. */
  objects: Record<string, KubeObject[]>;
}

/** Which objects a past state carries: some kinds (default every one), one namespace (default all). */
export interface PastFilter {
  kinds?: readonly string[];
  namespace?: string;
}

interface Folded {
  store: ObjectStore;
  revision: number;
  time: number;
}

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
  private lastFold: { revision: number; folded: Promise<Folded> } | undefined;

  constructor(private readonly log: LogSource) {}

  async timeline(): Promise<Timeline> {
    // One reader at a time; callers that arrive meanwhile share it.
    this.reading ??= this.catchUp().finally(() => (this.reading = undefined));
    await this.reading;
    const bounds = await this.log.bounds();
    return { firstSeq: bounds.firstSeq, lastSeq: Math.max(bounds.lastSeq, this.readTo), rows: this.rows };
  }

  /** The cluster at a revision; the last fold is kept, so filtering it again (another kind, namespace) folds nothing. */
  async stateAt(revision: number, filter: PastFilter = {}): Promise<PastState> {
    if (this.lastFold?.revision !== revision) {
      const folded = this.fold(revision);
      this.lastFold = { revision, folded };
      folded.catch(() => (this.lastFold = undefined));
    }
    const { store, revision: at, time } = await this.lastFold!.folded;
    const objects: Record<string, KubeObject[]> = {};
    for (const kind of filter.kinds ?? store.resources()) objects[kind] = store.list(kind, filter.namespace).items;
    return { revision: at, time, kinds: store.counts(), objects };
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

  private async fold(revision: number): Promise<Folded> {
    const { firstSeq } = await this.log.bounds();
    const folded = await foldTo(this.log.read({ fromSeq: firstSeq, toSeq: revision }), { revision });
    return { store: folded.store, revision: folded.revision, time: folded.time };
  }
}
