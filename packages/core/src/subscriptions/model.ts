import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import { type BillingInterval, PlanId, ProductId } from "../catalog/model.js"
import { CustomerId } from "../customers/model.js"
import { FREE_FORM_LIMITS, FreeForm } from "../shared/free-form.js"
import { prefixedId } from "../shared/ids.js"
import { Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"

export const SubscriptionId = prefixedId("sub", "SubscriptionId")
export type SubscriptionId = typeof SubscriptionId.Type

export const QuantityRequestId = prefixedId("qrq", "QuantityRequestId")
export type QuantityRequestId = typeof QuantityRequestId.Type

export const SubscriptionStatus = Schema.Literal("pending", "active", "suspended", "cancelled", "expired")
export type SubscriptionStatus = typeof SubscriptionStatus.Type

/** What an order item states about what it orders (a SIP trunk's `channels`), per the product's declarations. */
export const CharacteristicValue = Schema.Union(Schema.String, Schema.Number, Schema.Boolean)
export const Characteristics = FreeForm(CharacteristicValue)
export type Characteristics = typeof Characteristics.Type

/** Free-form fields a partner keeps on a subscription (a PO number, a cost centre); replaced whole. */
export const CustomFields = FreeForm(Schema.Unknown)
export type CustomFields = typeof CustomFields.Type

/** The body of `PUT /subscriptions/{id}/customfields`: custom fields, too many keys refused as `custom_fields`. */
export const CustomFieldsBody = FreeForm(Schema.Unknown, FREE_FORM_LIMITS, "custom_fields")

/**
 * A customer's subscription to one version of a plan. Periods are anchored on the day it started
 * in the customer's time zone (periods.ts); it renews at each period end while `auto_renew` is on,
 * else expires at the end of its term (the commitment, or the period for plans without one).
 */
export class Subscription extends Schema.Class<Subscription>("Subscription")({
  id: SubscriptionId,
  customer_id: CustomerId,
  product_id: ProductId,
  plan_id: PlanId,
  plan_version: Schema.Int,
  /** A name the partner gives it; null until set. */
  name: Schema.NullOr(Schema.String),
  status: SubscriptionStatus,
  quantity: Schema.Int,
  auto_renew: Schema.Boolean,
  current_period_start: Timestamp,
  current_period_end: Timestamp,
  /** Set when it is to be cancelled when the current period ends. */
  cancel_at_period_end: Schema.Boolean,
  cancelled_at: Schema.NullOr(Timestamp),
  /** When it expired (auto-renew off at the end of its term); null otherwise. */
  expired_at: Schema.NullOr(Timestamp),
  /** Set on add-ons: the subscription whose plan lists this one's plan among its add-ons. */
  parent_subscription_id: Schema.NullOr(SubscriptionId),
  characteristics: Characteristics,
  custom_fields: CustomFields,
  /** The order whose checkout created it. */
  order_id: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/**
 * What periods.ts needs to compute the subscription's periods, kept with it (not shown in
 * answers): the anchor instant, the time zone it was anchored in (the customer's at the start,
 * so a later change of the customer's zone does not move the billing days), the interval, the
 * index of the current period, and the plan's commitment.
 */
export interface Schedule {
  readonly anchor: DateTime.Utc
  readonly time_zone: string
  readonly interval: BillingInterval
  readonly period_index: number
  readonly commitment_months: number | null
}

/** A subscription with its scope (the customer's lineage) and its schedule. */
export interface StoredSubscription {
  readonly subscription: Subscription
  readonly lineage: ReadonlyArray<string>
  readonly schedule: Schedule
}

/**
 * The subscription's fields a PUT does not change, each with where it is changed instead. A
 * client may send them (a whole subscription sent back), but only as they are: another value is
 * 422 naming the field, never a 200 that changed nothing.
 */
export const READ_ONLY_SUBSCRIPTION_FIELDS = {
  quantity: "is changed by POST /subscriptions/{id}/quantity (a decrease) or by ordering (an order item with subscription_id), not by PUT",
  status: "is changed by POST /subscriptions/{id}/cancel, not by PUT",
  cancel_at_period_end: "is set by POST /subscriptions/{id}/cancel with \"when\": \"end_of_billing_period\", not by PUT",
  cancelled_at: "is set by POST /subscriptions/{id}/cancel, not by PUT",
  custom_fields: "are changed by PUT /subscriptions/{id}/customfields, not by PUT /subscriptions/{id}",
  plan_id: "cannot be changed: order the other plan and cancel this subscription",
  plan_version: "cannot be changed: order the other plan and cancel this subscription",
  characteristics: "cannot be changed once ordered",
  id: "cannot be changed",
  customer_id: "cannot be changed",
  product_id: "cannot be changed",
  parent_subscription_id: "cannot be changed",
  order_id: "cannot be changed",
  current_period_start: "cannot be changed: periods follow the subscription's start",
  current_period_end: "cannot be changed: periods follow the subscription's start",
  expired_at: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const

const readOnly = Schema.optional(Schema.Unknown.annotations({ description: "Read-only: may be sent only as it is" }))

export class UpdateSubscription extends Schema.Class<UpdateSubscription>("UpdateSubscription")({
  auto_renew: Schema.optional(Schema.Boolean),
  /** `null` clears it. */
  name: Schema.optional(
    Schema.NullOr(Schema.Trim.pipe(Schema.minLength(1, { message: () => "must not be empty" }), Schema.maxLength(200)))
  ),
  quantity: readOnly,
  status: readOnly,
  cancel_at_period_end: readOnly,
  cancelled_at: readOnly,
  custom_fields: readOnly,
  plan_id: readOnly,
  plan_version: readOnly,
  characteristics: readOnly,
  id: readOnly,
  customer_id: readOnly,
  product_id: readOnly,
  parent_subscription_id: readOnly,
  order_id: readOnly,
  current_period_start: readOnly,
  current_period_end: readOnly,
  expired_at: readOnly,
  created_at: readOnly,
  updated_at: readOnly
}) {}

export const CancelWhen = Schema.Literal("immediately", "end_of_billing_period")
export type CancelWhen = typeof CancelWhen.Type

export class CancelSubscription extends Schema.Class<CancelSubscription>("CancelSubscription")({
  /** `immediately` when absent. */
  when: Schema.optional(CancelWhen)
}) {}

/** The body of `POST /subscriptions/{id}/quantity`: the new, lower quantity. */
export class ChangeQuantity extends Schema.Class<ChangeQuantity>("ChangeQuantity")({
  quantity: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({
    // The same words for 1.5, "3" and 0, not 'Expected an integer, actual 1.5'.
    message: () => ({ message: "must be a whole number of at least 1", override: true })
  })
}) {}

export const QuantityRequestState = Schema.Literal("pending", "completed", "failed")
export type QuantityRequestState = typeof QuantityRequestState.Type

/**
 * A quantity decrease, asynchronous: `pending` until the provisioning side acknowledges it (at
 * once when the product has no provisioning target), then `completed` (the subscription has the
 * new quantity) or `failed` (`reason` says why; the quantity stays).
 */
export class QuantityRequest extends Schema.Class<QuantityRequest>("QuantityRequest")({
  id: QuantityRequestId,
  subscription_id: SubscriptionId,
  from_quantity: Schema.Int,
  to_quantity: Schema.Int,
  state: QuantityRequestState,
  reason: Schema.NullOr(Schema.String),
  completed_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** The answer to a decrease (`202`): the request, with `request_id` to poll it by. */
export class QuantityRequestAccepted extends QuantityRequest.extend<QuantityRequestAccepted>("QuantityRequestAccepted")({
  request_id: QuantityRequestId
}) {}

export const InstallmentStatus = Schema.Literal("paid", "unpaid")

export class Installment extends Schema.Class<Installment>("Installment")({
  number: Schema.Int,
  due: Timestamp,
  amount: Money,
  /** Paid when the invoice that billed it is paid. */
  status: InstallmentStatus
}) {}

/**
 * The current term's installments of a subscription to a committed plan: one per billing
 * interval of the commitment. Empty, with `commitment_months` null, for plans without one.
 */
export class InstallmentPlan extends Schema.Class<InstallmentPlan>("InstallmentPlan")({
  subscription_id: SubscriptionId,
  commitment_months: Schema.NullOr(Schema.Int),
  /** The current term, 1 for the first commitment, 2 after the first renewal of it, ... */
  term: Schema.NullOr(Schema.Int),
  term_start: Schema.NullOr(Timestamp),
  term_end: Schema.NullOr(Timestamp),
  installments: Schema.Array(Installment)
}) {}

/** What one run of the scheduler did. */
export class DueRun extends Schema.Class<DueRun>("DueRun")({
  renewed: Schema.Int,
  expired: Schema.Int,
  cancelled: Schema.Int
}) {}
