import * as Schema from "effect/Schema"
import { PlanId, ProductId, ProductType } from "../catalog/model.js"
import { CustomerId } from "../customers/model.js"
import { Timestamp } from "../shared/time.js"
import { Characteristics, SubscriptionId, SubscriptionStatus } from "../subscriptions/model.js"

/**
 * The inventory views: what a customer has in service, read from what checkout and number
 * orders created. Nothing here is stored on its own.
 */

/** A connection (an active subscription of a `connection` product, a SIP trunk): its id is the subscription's. */
export class Connection extends Schema.Class<Connection>("Connection")({
  id: SubscriptionId,
  customer_id: CustomerId,
  product_id: ProductId,
  product_name: Schema.String,
  plan_id: PlanId,
  plan_version: Schema.Int,
  quantity: Schema.Int,
  status: SubscriptionStatus,
  characteristics: Characteristics,
  since: Timestamp
}) {}

export class InServiceSubscription extends Schema.Class<InServiceSubscription>("InServiceSubscription")({
  id: SubscriptionId,
  plan_id: PlanId,
  plan_version: Schema.Int,
  quantity: Schema.Int,
  characteristics: Characteristics,
  since: Timestamp
}) {}

export class InServiceNumber extends Schema.Class<InServiceNumber>("InServiceNumber")({
  number: Schema.String,
  country: Schema.String,
  city_id: Schema.NullOr(Schema.String),
  location_id: Schema.NullOr(Schema.String),
  /** `assigned`, or `porting` while a port-in is under way. */
  status: Schema.String,
  characteristics: Characteristics
}) {}

/** A product the customer has in service: its active subscriptions and, for phone numbers, its numbers. */
export class InServiceProduct extends Schema.Class<InServiceProduct>("InServiceProduct")({
  id: ProductId,
  name: Schema.String,
  type: ProductType,
  subscriptions: Schema.Array(InServiceSubscription),
  numbers: Schema.Array(InServiceNumber)
}) {}
