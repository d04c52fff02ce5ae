/**
 * A tiny typed event emitter. Not Node's EventEmitter on purpose: there an `error` event with
 * no listener throws, and a heartbeat must never crash an app that only awaits `stopped`.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener parameter lists vary per event.
export type EventMap<Events> = { [E in keyof Events]: (...args: any[]) => void };

export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #listeners = new Map<keyof Events, Array<{ fn: Events[keyof Events]; once: boolean }>>();

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    this.#add(event, listener, false);
    return this;
  }

  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    this.#add(event, listener, true);
    return this;
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners.get(event);
    const index = list?.findIndex((entry) => entry.fn === listener) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls every listener. One that throws does not stop the others nor the caller's loop; its
   * error is rethrown on the next tick, like a throw in any other callback of the app would be.
   */
  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    for (const entry of [...list]) {
      if (entry.once) this.off(event, entry.fn);
      try {
        entry.fn(...args);
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  #add<E extends keyof Events>(event: E, fn: Events[E], once: boolean): void {
    const list = this.#listeners.get(event) ?? [];
    list.push({ fn, once });
    this.#listeners.set(event, list);
  }
}
