/**
 * A tiny typed event emitter. Not Node's EventEmitter (browsers lack it, and an `error` event
 * with no listener throws there: a heartbeat must never crash an app that only awaits
 * `stopped`), and not the DOM's EventTarget (it loses the payload types).
 */
// biome-ignore lint/suspicious/noExplicitAny: listener parameter lists vary per event.
export type EventMap<Events> = { [E in keyof Events]: (...args: any[]) => void };

export class TypedEmitter<Events extends EventMap<Events>> {
  readonly #listeners: { [E in keyof Events]?: Array<{ fn: Events[E]; once: boolean }> } = {};
  readonly #report: (error: unknown) => void;

  /**
   * @param reportError Where an exception thrown by a listener goes. Default: rethrown in a
   * microtask, so it reaches `window.onerror` / `uncaughtException` like a throw in any other
   * callback of the app would.
   */
  constructor(
    reportError = (error: unknown) =>
      queueMicrotask(() => {
        throw error;
      }),
  ) {
    this.#report = reportError;
  }

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.#add(event, listener, false);
  }

  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    return this.#add(event, listener, true);
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.#listeners[event] ?? [];
    const index = list.findIndex((entry) => entry.fn === listener);
    if (index >= 0) list.splice(index, 1);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners[event]?.length ?? 0;
  }

  /**
   * Calls every listener. One that throws stops neither the others nor the caller's loop; its
   * error goes to `reportError`.
   */
  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const entry of [...(this.#listeners[event] ?? [])]) {
      if (entry.once) this.off(event, entry.fn);
      try {
        entry.fn(...args);
      } catch (error) {
        this.#report(error);
      }
    }
  }

  #add<E extends keyof Events>(event: E, fn: Events[E], once: boolean): this {
    this.#listeners[event] ??= [];
    this.#listeners[event].push({ fn, once });
    return this;
  }
}
