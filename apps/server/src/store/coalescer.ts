// Gathers the operations that arrive while the database is busy and runs them as one statement
// (group commit). Each round trip and each commit costs far more than one more row in it, so
// under load a batch carries many requests for the price of one; alone, an operation waits only
// for the rest of the current event-loop turn. Every caller still gets its own result, and only
// after the statement that carries it has returned (committed, for a write).

export interface CoalescerOptions<I> {
  /** Statements running at once (each holds a pooled connection). */
  maxInFlight: number;
  /** Operations per statement at most. */
  maxBatch: number;
  /**
   * Operations with the same key never share a statement (one row written twice in one
   * statement is an error, or a lost update); a later one waits for the next batch.
   */
  key?: (item: I) => string;
}

interface Pending<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class Coalescer<I, R> {
  private queue: Array<Pending<I, R>> = [];
  private inFlight = 0;
  private scheduled = false;

  /** `run` answers one result per item, in order; a throw fails every item of its batch. */
  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly options: CoalescerOptions<I>,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Operations waiting for a statement (not counting the ones running). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // After the I/O of this turn: the requests that arrived with it join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.take();
      this.inFlight++;
      this.execute(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private take(): Array<Pending<I, R>> {
    const { key, maxBatch } = this.options;
    if (!key) return this.queue.splice(0, maxBatch);
    const batch: Array<Pending<I, R>> = [];
    const later: Array<Pending<I, R>> = [];
    const keys = new Set<string>();
    for (const pending of this.queue) {
      const k = key(pending.item);
      if (batch.length < maxBatch && !keys.has(k)) {
        keys.add(k);
        batch.push(pending);
      } else later.push(pending);
    }
    this.queue = later;
    return batch;
  }

  private async execute(batch: Array<Pending<I, R>>): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
