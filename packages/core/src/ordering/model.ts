import * as Schema from "effect/Schema"
import { PlanId, SkuId } from "../catalog/model.js"
import { CustomerId } from "../customers/model.js"
import { prefixedId } from "../shared/ids.js"
import { Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"
import { Characteristics, SubscriptionId } from "../subscriptions/model.js"

export const OrderId = prefixedId("ord", "OrderId")
export type OrderId = typeof OrderId.Type

export const OrderItemId = prefixedId("oit", "OrderItemId")
export type OrderItemId = typeof OrderItemId.Type

/**
 * draft (items may be added) -> checkout -> completed (everything happened) or failed (nothing
 * happened; each item says why). `submitted` is an order handed over and still being fulfilled;
 * a draft or submitted order can be cancelled.
 */
export const OrderStatus = Schema.Literal("draft", "submitted", "completed", "failed", "cancelled")
export type OrderStatus = typeof OrderStatus.Type

/**
 * `create`: a new subscription to the plan (an add-on when `parent_subscription_id` is set);
 * `increase_quantity`: more units on `subscription_id`; `purchase`: units of a SKU, bought once.
 * Plain text in storage: number orders add their own actions.
 */
export const OrderItemAction = Schema.Literal(
  "create",
  "increase_quantity",
  "purchase",
  // Number orders (numbers/orders): one item per number, completed when the order is placed.
  "number_any",
  "number_reserve",
  "number_range",
  "number_port",
  "number_move",
  "number_change",
  "number_delete"
)
export type OrderItemAction = typeof OrderItemAction.Type

export const OrderItemStatus = Schema.Literal("pending", "completed", "failed", "cancelled")
export type OrderItemStatus = typeof OrderItemStatus.Type

export class OrderItem extends Schema.Class<OrderItem>("OrderItem")({
  id: OrderItemId,
  action: OrderItemAction,
  plan_id: Schema.NullOr(PlanId),
  /** The plan version that priced the item: the published one, fixed at checkout. */
  plan_version: Schema.NullOr(Schema.Int),
  sku_id: Schema.NullOr(SkuId),
  quantity: Schema.Int,
  /** The subscription a quantity increase raises, or the one checkout created for the item. */
  subscription_id: Schema.NullOr(SubscriptionId),
  parent_subscription_id: Schema.NullOr(SubscriptionId),
  characteristics: Characteristics,
  status: OrderItemStatus,
  /** Why the item could not be fulfilled; null otherwise. */
  error: Schema.NullOr(Schema.String),
  /** The price of one unit for one billing interval (a plan) or of the units (a SKU's rating). */
  unit_price: Schema.NullOr(Money),
  /** What the item costs, rounded to the currency's minor unit. */
  amount: Schema.NullOr(Money),
  /** A number order's number (E.164); absent on other items. */
  number: Schema.optionalWith(Schema.String, { nullable: true })
}) {}

export class Order extends Schema.Class<Order>("Order")({
  id: OrderId,
  customer_id: CustomerId,
  status: OrderStatus,
  items: Schema.Array(OrderItem),
  /** The sum of the items' amounts; null while the order has none. */
  total: Schema.NullOr(Money),
  submitted_at: Schema.NullOr(Timestamp),
  completed_at: Schema.NullOr(Timestamp),
  cancelled_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** An order with its scope (the customer's lineage), which answers never show. */
export interface StoredOrder {
  readonly order: Order
  readonly lineage: ReadonlyArray<string>
}

export class CreateOrder extends Schema.Class<CreateOrder>("CreateOrder")({
  customer_id: CustomerId
}) {}

/** The most units one order item may order. */
export const MAX_ITEM_QUANTITY = 1_000_000

/**
 * The most units a subscription may have, which items raising it may not pass (checked when an
 * item is added and at checkout): well inside the 32-bit integer (2,147,483,647) that stores it.
 */
export const MAX_SUBSCRIPTION_QUANTITY = 1_000_000_000

/** Told the same way whatever is wrong with it (1.5, "2", 0, 1e17), not 'Expected an integer, actual 1.5'. */
const Quantity = Schema.Int.pipe(Schema.between(1, MAX_ITEM_QUANTITY)).annotations({
  message: () => ({ message: `must be a whole number from 1 to ${MAX_ITEM_QUANTITY}`, override: true })
})

/**
 * One line of an order: a plan (a new subscription, an add-on of `parent_subscription_id`), more
 * units of `subscription_id` (its plan may be left out), or a SKU bought once.
 */
export class AddOrderItem extends Schema.Class<AddOrderItem>("AddOrderItem")({
  plan_id: Schema.optional(PlanId),
  sku_id: Schema.optional(SkuId),
  quantity: Quantity,
  subscription_id: Schema.optional(SubscriptionId),
  parent_subscription_id: Schema.optional(SubscriptionId),
  characteristics: Schema.optional(Characteristics)
}) {}
