/** A subscription; call `dispose()` to stop listening. */
export interface Disposable {
  dispose(): void;
}

type Listener<T> = (value: T) => void;

/** A small typed event emitter: names are namespaced (`guest:state`), listeners get one value. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): Disposable {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return { dispose: () => set.delete(listener as Listener<never>) };
  }

  once<K extends keyof Events>(name: K, listener: Listener<Events[K]>): Disposable {
    const sub = this.on(name, (value) => {
      sub.dispose();
      listener(value);
    });
    return sub;
  }

  protected emit<K extends keyof Events>(name: K, value: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) (listener as Listener<Events[K]>)(value);
  }
}
