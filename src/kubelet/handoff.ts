/**
 * A value handed to an actor once. XState keeps an actor's input for the actor's whole
 * life, so a pod passed in as input stays in memory long after newer versions of it
 * replaced it: a simulated fleet at 6,000 pods held 2.7 copies of every pod, one of them
 * the version its worker first saw. The actor takes the value as it starts; the box it
 * keeps is empty from then on.
 */
export class Handoff<T> {
  private value: T | undefined;
  private taken = false;

  constructor(value: T) {
    this.value = value;
  }

  /** The value, once: a second take is a bug in the caller. */
  take(): T {
    if (this.taken) throw new Error('Handoff: the value was taken already');
    const value = this.value as T;
    this.taken = true;
    this.value = undefined;
    return value;
  }
}
