import * as Context from "effect/Context"

/** How much the delivery engine takes on at once, and its time-outs. */

/** Events one dispatch transaction claims. */
export const DISPATCH_BATCH = 1000
/** Calls one process has claimed and not yet recorded (in flight, or sent and awaiting their record). */
export const IN_FLIGHT = 512
/** Of those, at most this many to one target (a product's provider or a webhook) at once. */
export const PER_TARGET = 256
/** The most one claim takes; a claim waits until at least `MIN_CLAIM` calls can start (or none is in flight). */
export const CLAIM_BATCH = 256
export const MIN_CLAIM = 16
/** Outcomes one record transaction writes at most. */
export const RECORD_BATCH = 512
/** Added to a call's time-out for its lease: past it, another worker may take the delivery. */
export const LEASE_MARGIN_MILLIS = 30_000
/** How long a running worker keeps a target's or webhook's signing secrets before reading them again. */
export const SECRETS_TTL_MILLIS = 1_000
/** Webhooks created before they had a time-out of their own. */
export const WEBHOOK_TIMEOUT_MS = 10_000
/** A `runOnce` stops after this many claims, so it cannot spin forever. */
export const MAX_ROUNDS = 100_000

export interface EngineLimits {
  readonly inFlight: number
  readonly perTarget: number
}

export const DEFAULT_LIMITS: EngineLimits = { inFlight: IN_FLIGHT, perTarget: PER_TARGET }

/**
 * The embedded database runs in the worker's own thread: every query holds the event loop that
 * also reads the providers' answers, so fewer calls in flight keep each answer read (and timed)
 * soon after it arrives.
 */
export const EMBEDDED_LIMITS: EngineLimits = { inFlight: 64, perTarget: 32 }

/** The engine's limits in this process; the edge sets them (the embedded database takes `EMBEDDED_LIMITS`). */
export class DeliveryLimits extends Context.Reference<DeliveryLimits>()("@provisio/core/DeliveryLimits", {
  defaultValue: (): EngineLimits => DEFAULT_LIMITS
}) {}
