import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"

/**
 * Deliveries: the calls the engine makes for domain events (docs/push.md). A provisioning push
 * to a product's target, or a webhook call. Each delivery keeps its attempts; one ordering key's
 * deliveries go out one at a time, in the order of their events.
 */

export const DeliveryId = prefixedId("dlv", "DeliveryId")
export type DeliveryId = typeof DeliveryId.Type

export const DeliveryStatus = Schema.Literal("pending", "retrying", "delivered", "dead")
export type DeliveryStatus = typeof DeliveryStatus.Type

export const DeliveryKind = Schema.Literal("provisioning", "webhook", "email")
export type DeliveryKind = typeof DeliveryKind.Type

export class Delivery extends Schema.Class<Delivery>("Delivery")({
  id: DeliveryId,
  event_id: Schema.String,
  event_type: Schema.String,
  kind: DeliveryKind,
  /** The product id (provisioning), the webhook id, or `smtp` (email). */
  target: Schema.String,
  url: Schema.String,
  method: Schema.String,
  /** The subscription id (provisioning); the webhook id plus the subscription or customer (webhooks); or null. */
  ordering_key: Schema.NullOr(Schema.String),
  status: DeliveryStatus,
  /** How many attempts were made so far. */
  attempts: Schema.Int,
  next_attempt_at: Timestamp,
  last_error: Schema.NullOr(Schema.String),
  quantity_request_id: Schema.NullOr(Schema.String),
  subscription_id: Schema.NullOr(Schema.String),
  /**
   * Set while a pending or retrying delivery waits on its target's circuit (the provider kept
   * failing and is backed off as a whole): when the next probe call may go; once past, the
   * delivery waits for that probe to succeed. Null otherwise.
   */
  held_until: Schema.optionalWith(Schema.NullOr(Timestamp), { default: () => null }),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class DeliveryAttempt extends Schema.Class<DeliveryAttempt>("DeliveryAttempt")({
  number: Schema.Int,
  /** The answer's status; null when there was no answer (time-out, connection failure). */
  status_code: Schema.NullOr(Schema.Int),
  latency_ms: Schema.Int,
  /** The first KB of the answer's body. */
  response_excerpt: Schema.NullOr(Schema.String),
  error: Schema.NullOr(Schema.String),
  at: Timestamp
}) {}

/** A delivery with its body and every attempt, oldest first. */
export class DeliveryDetail extends Schema.Class<DeliveryDetail>("DeliveryDetail")({
  ...Delivery.fields,
  body: Schema.String,
  attempt_log: Schema.Array(DeliveryAttempt)
}) {}

export const DeliveryCounts = Schema.Struct({
  pending: Schema.Int,
  retrying: Schema.Int,
  delivered: Schema.Int,
  dead: Schema.Int
})
export type DeliveryCounts = typeof DeliveryCounts.Type

/** `GET /subscriptions/{id}/provisioning`: the provider's configuration and how the pushes stand. */
export class SubscriptionProvisioning extends Schema.Class<SubscriptionProvisioning>("SubscriptionProvisioning")({
  subscription_id: Schema.String,
  /** The `configuration` of the provider's latest 2xx answer that had one; null until then. */
  configuration: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  configured_at: Schema.NullOr(Timestamp),
  /** `none` (no pushes), `in_progress` (some pending or retrying), `failed` (the latest dead), else `delivered`. */
  state: Schema.Literal("none", "in_progress", "delivered", "failed"),
  deliveries: DeliveryCounts,
  last_delivery: Schema.NullOr(Delivery)
}) {}

/** A delivery as stored: with its body, its time-out, its lease and the scope of its event. */
export interface StoredDelivery {
  readonly delivery: Delivery
  readonly body: string
  readonly timeout_ms: number
  readonly lease_until: DateTime.Utc | null
  readonly customer_id: string | null
  readonly lineage: ReadonlyArray<string>
}

export interface StoredAttempt {
  readonly delivery_id: string
  readonly attempt: DeliveryAttempt
}

/** A delivery leased by a worker: what it takes to sign, send and record it. */
export interface ClaimedDelivery {
  readonly id: string
  readonly event_id: string
  readonly event_type: string
  readonly kind: DeliveryKind
  readonly target: string
  readonly url: string
  readonly method: string
  readonly body: string
  readonly timeout_ms: number
  /** Attempts made before this one. */
  readonly attempts: number
  readonly quantity_request_id: string | null
  readonly subscription_id: string | null
  readonly customer_id: string | null
  readonly lineage: ReadonlyArray<string>
  /** The target's consecutive failures when claimed (its circuit; 0 for a healthy target). */
  readonly target_failures: number
}

export interface ClaimRequest {
  readonly now: DateTime.Utc
  readonly limit: number
  readonly leaseMarginMillis: number
  /** This worker's calls in flight per target (claimed, not yet recorded). */
  readonly inFlight: ReadonlyMap<string, number>
  /** The most calls in flight to one target. */
  readonly perTarget: number
  /** A target with this many failures in a row has an open circuit: one probe call at a time once it may try again. */
  readonly failureThreshold: number
}

/** One attempt and what it led to, as a batch records it. */
export interface RecordedOutcome {
  readonly id: string
  readonly attempt: DeliveryAttempt
  readonly status: "delivered" | "retrying" | "dead"
  /** When a `retrying` delivery is next due. */
  readonly next_attempt_at: DateTime.Utc | null
  readonly last_error: string | null
}

/** `GET /deliveries/stats`: how one target's deliveries stand and how its recent calls went. */
export class TargetStats extends Schema.Class<TargetStats>("TargetStats")({
  /** The product id (provisioning), the webhook id, or `smtp` (email). */
  target: Schema.String,
  kind: DeliveryKind,
  /** Pending or retrying: not delivered nor dead yet. */
  queued: Schema.Int,
  /** Queued and due now (waiting for a worker, or behind an earlier call of their ordering key). */
  due: Schema.Int,
  /** Leased by a worker: being sent. */
  in_flight: Schema.Int,
  retrying: Schema.Int,
  dead: Schema.Int,
  /** How long the oldest due delivery has waited, in milliseconds (0 when none is due). */
  oldest_due_ms: Schema.Int,
  /** Attempts in the window, and how many of them failed (no answer, or not 2xx). */
  attempts: Schema.Int,
  failures: Schema.Int,
  failure_rate: Schema.Number,
  /** From a delivery's creation (its event dispatched) to its 2xx, over the deliveries delivered in the window. */
  lag_p50_ms: Schema.NullOr(Schema.Int),
  lag_p99_ms: Schema.NullOr(Schema.Int),
  /** `closed`; `open` (calls wait until `open_until`); `half_open` (one probe call at a time). */
  circuit: Schema.Literal("closed", "open", "half_open"),
  consecutive_failures: Schema.Int,
  open_until: Schema.NullOr(Timestamp)
}) {}

export class DeliveryStats extends Schema.Class<DeliveryStats>("DeliveryStats")({
  /** The window of `attempts`, `failures` and the lags, in seconds, ending now. */
  window_seconds: Schema.Int,
  queued: Schema.Int,
  due: Schema.Int,
  in_flight: Schema.Int,
  targets: Schema.Array(TargetStats)
}) {}

/** What one `runOnce` did. */
export interface DeliveryRun {
  readonly dispatched_events: number
  readonly created: number
  readonly sent: number
  readonly delivered: number
  readonly retrying: number
  readonly dead: number
}
