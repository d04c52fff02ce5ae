/**
 * A tiny typed event emitter (the same surface as @kami-verify/node's). Not the DOM's
 * EventTarget, which loses payload types, and not Node's EventEmitter, which browsers lack and
 * which throws on an `error` event nobody listens to.
 */
// biome-ignore lint/suspicious/noExplicitAny: listener parameter lists vary per event.
export type EventMap<Events> = { [E in keyof Events]: (...args: any[]) => void };

export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #listeners = new Map<keyof Events, Array<{ fn: Events[keyof Events]; once: boolean }>>();

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.#add(event, listener, false);
  }

  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.#add(event, listener, true);
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners.get(event);
    const index = list ? list.findIndex((entry) => entry.fn === listener) : -1;
    if (index >= 0) list!.splice(index, 1);
    return this;
  }

  /**
   * Calls every listener. One that throws stops neither the others nor the heartbeat loop; its
   * error is rethrown in a microtask, so it still reaches `window.onerror` and the console.
   */
  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const entry of [...(this.#listeners.get(event) ?? [])]) {
      if (entry.once) this.off(event, entry.fn);
      try {
        entry.fn(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #add<E extends keyof Events>(event: E, fn: Events[E], once: boolean): this {
    const list = this.#listeners.get(event) ?? [];
    list.push({ fn, once });
    this.#listeners.set(event, list);
    return this;
  }
}
