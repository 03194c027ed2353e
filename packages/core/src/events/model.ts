import * as Schema from "effect/Schema"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"

/**
 * Domain events: what happened, written to the outbox (the `events` table) in the same
 * transaction as the change itself, so an event exists exactly when its change does. Listed by
 * `GET /events`; delivered to provisioning targets and webhooks by the next issue, which follows
 * the outbox's delivery cursor.
 */

export const EventId = prefixedId("evt", "EventId")
export type EventId = typeof EventId.Type

/**
 * Every event type Provisio writes: the one catalog. `newEvent` takes only these, so a type
 * written elsewhere fails to compile until it is listed here; webhooks check their patterns
 * against it (a typo would otherwise be taken and never fire). The column stays plain text:
 * events stored by older versions keep reading as they are.
 */
export const EVENT_TYPES = [
  "order.created",
  "order.updated",
  "order.cancelled",
  "order.completed",
  "order.failed",
  "subscription.created",
  "subscription.updated",
  "subscription.cancelled",
  "subscription.expired",
  "subscription.renewed",
  "subscription.suspended",
  "subscription.resumed",
  "quantity_request.created",
  "quantity_request.completed",
  "quantity_request.failed",
  "network.created",
  "network.updated",
  "network.deleted",
  "ssid.created",
  "ssid.updated",
  "ssid.deleted",
  "device.created",
  "device.updated",
  "device.deleted",
  "number.assigned",
  "number.porting",
  "number.ported",
  "number.port_failed",
  "number.moved",
  "number.changed",
  "number.released",
  "usage.threshold_crossed",
  "billing_run.completed",
  // Also written by the finalization's SQL (adapters/postgres/invoices.ts): `invoice.finalized`, `invoice.paid`.
  "invoice.finalized",
  "invoice.paid",
  "invoice.updated",
  "invoice.voided",
  "invoice.overdue",
  "credit_note.created",
  "payment.succeeded",
  "payment.failed",
  "payment.refunded",
  "payment.reversed",
  "customer.dunning_stage_changed",
  "commission_rule.created",
  "commission_statement.settled",
  "ticket.created",
  "ticket.updated",
  "ticket.commented",
  "delivery.failed"
] as const
export type EventType = typeof EVENT_TYPES[number]

/** JSON: the resource as the API shows it, plus what the event adds (e.g. `previous_quantity`). */
export const EventData = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type EventData = typeof EventData.Type

/** An event as clients see it. */
export class DomainEvent extends Schema.Class<DomainEvent>("DomainEvent")({
  id: EventId,
  type: Schema.String,
  occurred_at: Timestamp,
  /** The customer the event is about, when there is one. */
  customer_id: Schema.NullOr(Schema.String),
  data: EventData
}) {}

/**
 * An event with its place in the hierarchy (the customer's lineage, or the account's): scope
 * checks and lists use it, answers never show it.
 */
export interface StoredEvent {
  readonly event: DomainEvent
  readonly lineage: ReadonlyArray<string>
}

/** Who an event belongs to: the hierarchy above (and including) the customer it is about. */
export interface EventScope {
  readonly customer_id: string | null
  readonly lineage: ReadonlyArray<string>
}
