/**
 * Consistent reads from the materialized store, as Kubernetes' consistent reads from its
 * watch cache: ask the log for its newest revision, then wait until the store has applied
 * it. Concurrent readers share one question to the log, but a reader never uses an answer
 * to a question asked before it arrived (that answer could miss a write acknowledged just
 * before the read). Writes of this instance raise the floor without asking.
 */
import type { ObjectStore } from '../store/object-store.ts';
import type { RegistryLog } from '../../streams/registry-log.ts';
import { componentLogger } from '../log.ts';

const CATCH_UP_TIMEOUT_MS = 10_000;

/** A consistent read that waited this long is logged (at most once per SLOW_LOG_EVERY_MS). */
const SLOW_READ_MS = 1_000;
const SLOW_LOG_EVERY_MS = 10_000;

const log = componentLogger('read-barrier');

export class ReadBarrier {
  private inFlight: Promise<number> | undefined;
  private next: Promise<number> | undefined;
  private lastSlowLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: Pick<RegistryLog, 'bounds'>,
    private readonly store: Pick<ObjectStore, 'revision' | 'waitForRevision'>,
  ) {}

  /** Resolves once the store holds every write the log had acknowledged when this was called. */
  async consistent(): Promise<number> {
    const began = performance.now();
    const revision = await this.latestRevision();
    const asked = performance.now();
    const behind = revision - this.store.revision;
    if (behind > 0) await this.store.waitForRevision(revision, CATCH_UP_TIMEOUT_MS);
    this.noteSlow(began, asked, behind);
    return revision;
  }

  /** Where a slow consistent read waited: on the log's answer, or on this store catching up. */
  private noteSlow(began: number, asked: number, behind: number): void {
    const now = performance.now();
    if (now - began < SLOW_READ_MS || now - this.lastSlowLogAt < SLOW_LOG_EVERY_MS) return;
    this.lastSlowLogAt = now;
    log.warn(
      { askLogMs: Math.round(asked - began), catchUpMs: Math.round(now - asked), revisionsBehind: Math.max(0, behind) },
      'slow consistent read: this API server is saturated (the store applies the log late) or the log answers slowly',
    );
  }

  /** Resolves once the store has applied at least `revision` (for "not older than" reads and own writes). */
  async atLeast(revision: number): Promise<void> {
    if (this.store.revision < revision) await this.store.waitForRevision(revision, CATCH_UP_TIMEOUT_MS);
  }

  private latestRevision(): Promise<number> {
    if (!this.inFlight) {
      this.inFlight = this.ask();
      return this.inFlight;
    }
    // A question is already out, asked before we arrived: queue for the one after it.
    if (!this.next) {
      this.next = this.inFlight.then(
        () => this.promoteNext(),
        () => this.promoteNext(),
      );
    }
    return this.next;
  }

  private promoteNext(): Promise<number> {
    const question = this.ask();
    this.inFlight = question;
    this.next = undefined;
    return question;
  }

  private ask(): Promise<number> {
    const question = this.log.bounds().then((b) => b.lastSeq);
    const clear = () => {
      if (this.inFlight === question) this.inFlight = undefined;
    };
    question.then(clear, clear);
    return question;
  }
}
