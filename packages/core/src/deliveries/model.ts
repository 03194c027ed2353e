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

export const DeliveryKind = Schema.Literal("provisioning", "webhook")
export type DeliveryKind = typeof DeliveryKind.Type

export class Delivery extends Schema.Class<Delivery>("Delivery")({
  id: DeliveryId,
  event_id: Schema.String,
  event_type: Schema.String,
  kind: DeliveryKind,
  /** The product id (provisioning) or the webhook id. */
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

/** What one `runOnce` did. */
export interface DeliveryRun {
  readonly dispatched_events: number
  readonly created: number
  readonly sent: number
  readonly delivered: number
  readonly retrying: number
  readonly dead: number
}
