/**
 * Named signals: the panels of the page talk through these instead of importing each other,
 * so main.js can wire any panel to any other and each panel stays testable alone.
 *
 * @example
 *   const bus = createBus();
 *   const off = bus.on('status', (s) => console.log(s.step));
 *   bus.emit('status', {step: 3});
 *   off();
 */

/**
 * @typedef {Object} Bus
 * @property {(name: string, handler: (payload: any) => void) => () => void} on
 * @property {(name: string, payload?: any) => void} emit
 */

/** @returns {Bus} */
export function createBus() {
  /** @type {Map<string, Set<(payload: any) => void>>} */
  const handlers = new Map();
  return {
    on(name, handler) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)?.add(handler);
      return () => handlers.get(name)?.delete(handler);
    },
    emit(name, payload) {
      for (const handler of handlers.get(name) ?? []) handler(payload);
    },
  };
}
