import type { MethodSlot } from './dual-mode.js';

/**
 * @internal What a legacy (`experimentalDecorators`) method decorator of tracewire noted about the method it decorated,
 * by where the method is defined. A decorator applied after it (a cache, a retry) may replace the method with a
 * wrapper of its own that hides tracewire's; the class decorator, applied last, still finds what was noted here.
 * Standard decorators are not told where a method is defined (their context has no prototype), so they note nothing.
 */
export class MethodSlots<Value> {
  private readonly byHome = new WeakMap<object, Map<PropertyKey, Value>>();

  note(slot: MethodSlot, value: Value): void {
    let slots = this.byHome.get(slot.home);
    if (slots === undefined) this.byHome.set(slot.home, (slots = new Map()));
    slots.set(slot.key, value);
  }

  get(home: object, key: PropertyKey): Value | undefined {
    return this.byHome.get(home)?.get(key);
  }
}
