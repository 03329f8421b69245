/**
 * @internal How the error of every close tracewire sends in a run's place
 * begins, when the run's real end was dropped after its start went out (see
 * `RunCloses`): the text is tracewire's words, not an error the user's code
 * threw, so exporters do not read an exception type out of it.
 */
export const OUTPUTS_DROPPED_PREFIX = 'tracewire: outputs dropped (';

/** @internal The error a run is closed with when drop-oldest evicted its end. */
export const OUTPUTS_DROPPED = `${OUTPUTS_DROPPED_PREFIX}queue full, drop-oldest)`;
