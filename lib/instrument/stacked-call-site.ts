import type { CallSite, TraceOptions } from './trace-options.js';

/** A `captureInputs` / `captureOutputs` setting as a call site holds it. */
type Capture<T> = boolean | ((value: T) => unknown);

/**
 * @internal The call site of a function traced twice — `traceable(traced,
 * options)`, `@Traceable(options)` over a method already traced — which is
 * still traced once: each option the outer `options` give replaces the
 * inner one (`outer`: those options resolved), the others stay the inner's.
 * What is recorded can only shrink: `captureInputs` / `captureOutputs`
 * `false` on either side records nothing, and a capture function
 * (`processInputs` / `processOutputs` included) on either side applies;
 * with one on both sides, the outer one gets what the inner one would
 * record (for inputs, as the only argument).
 */
export function stackCallSite(inner: CallSite, outer: CallSite, options: TraceOptions): CallSite {
  // Keys in callSiteOf's order: every call site has one shape, and the traced call reads them monomorphically.
  return {
    name: options.name === undefined ? inner.name : outer.name,
    runType: options.runType === undefined && options.run_type === undefined ? inner.runType : outer.runType,
    tags: options.tags === undefined ? inner.tags : outer.tags,
    metadata: outer.metadata ?? inner.metadata,
    captureInputs: stricter(inner.captureInputs, outer.captureInputs, (recorded): readonly unknown[] => [recorded]),
    captureOutputs: stricter(inner.captureOutputs, outer.captureOutputs, (recorded) => recorded),
    client: outer.client ?? inner.client,
    projectName: outer.projectName ?? inner.projectName,
    enabled: outer.enabled ?? inner.enabled,
    id: outer.id ?? inner.id,
    onEnd: outer.onEnd ?? inner.onEnd,
    parent: outer.parent ?? inner.parent,
  };
}

/** Both capture settings at once: `true` (the default) defers to the other side. */
function stricter<T>(inner: Capture<T>, outer: Capture<T>, asOuterInput: (recorded: unknown) => T): Capture<T> {
  if (inner === false || outer === false) return false;
  if (inner === true) return outer;
  if (outer === true) return inner;
  // If the inner one throws, the whole throws: the run records the capture-failure marker, neither side's view.
  return (value) => outer(asOuterInput(inner(value)));
}
