import type { DeliveryKind } from "./model.js"

/**
 * Circuits: a provider (a product's target or a webhook) that keeps failing is backed off as a
 * whole, so its calls wait instead of occupying the workers, and it is asked again with one probe
 * call at a time. Pure: the worker feeds it outcomes, the repository keeps the counts.
 */

export interface CircuitPolicy {
  /** Failures in a row (no answer, 408, 429 or 5xx) that open a target's circuit. */
  readonly threshold: number
  /**
   * The first back-off; each time the circuit opens again (its probe failed too) it doubles, up
   * to `maxMillis` (the repository applies it as it counts: postgres/deliveries/outcomes.ts).
   */
  readonly baseMillis: number
  readonly maxMillis: number
}

export const DEFAULT_CIRCUIT_POLICY: CircuitPolicy = { threshold: 5, baseMillis: 5_000, maxMillis: 300_000 }

/** What a batch of outcomes does to one target's count of failures in a row. */
export interface CircuitChange {
  readonly target: string
  readonly kind: DeliveryKind
  /** A call succeeded: the count starts again from the failures that came after it. */
  readonly reset: boolean
  /** Failures to add (those after the batch's last success). */
  readonly failures: number
  readonly last_error: string | null
}

export interface CircuitResult {
  readonly target: string
  readonly kind: DeliveryKind
  /** The call got an answer the provider is healthy enough to give (anything but a failure below). */
  readonly failed: boolean
  readonly error: string | null
  /** The target may have failures counted (when claimed, or by this worker since): a success must reset them. */
  readonly mayHaveFailures: boolean
}

/**
 * The changes a batch of results makes, in the order they finished. A healthy target that only
 * succeeded changes nothing, so the common case writes no circuit row.
 */
export const circuitChanges = (results: ReadonlyArray<CircuitResult>): ReadonlyArray<CircuitChange> => {
  const byTarget = new Map<
    string,
    { kind: DeliveryKind; reset: boolean; failures: number; error: string | null; counted: boolean }
  >()
  for (const result of results) {
    const entry = byTarget.get(result.target) ??
      { kind: result.kind, reset: false, failures: 0, error: null, counted: false }
    if (result.failed) {
      entry.failures++
      entry.error = result.error
    } else {
      entry.reset = true
      entry.failures = 0
    }
    entry.counted ||= result.mayHaveFailures
    byTarget.set(result.target, entry)
  }
  const changes: Array<CircuitChange> = []
  for (const [target, entry] of byTarget) {
    if (entry.failures === 0 && (!entry.reset || !entry.counted)) continue
    changes.push({ target, kind: entry.kind, reset: entry.reset, failures: entry.failures, last_error: entry.error })
  }
  // In one order, so two batches updating the same targets lock their rows in the same order.
  return changes.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0))
}
