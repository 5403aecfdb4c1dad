/**
 * Concurrent callers of one key share one call (Go's singleflight): the first starts it, the
 * others join it until it settles. `detach` makes the next caller start afresh, which is what a
 * write needs: a read that begins after the write must not join one that began before it.
 */
export class SingleFlight<V> {
  private readonly flights = new Map<string, Promise<V>>();

  /** The call in flight for `key`, if any. */
  joinable(key: string): Promise<V> | undefined {
    return this.flights.get(key);
  }

  /** Starts `work` as the call for `key`; it is forgotten once it settles. */
  start(key: string, work: () => Promise<V>): Promise<V> {
    const started = work();
    this.flights.set(key, started);
    const forget = () => {
      if (this.flights.get(key) === started) this.flights.delete(key);
    };
    started.then(forget, forget);
    return started;
  }

  detach(key: string): void {
    this.flights.delete(key);
  }
}
