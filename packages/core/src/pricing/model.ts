import * as Schema from "effect/Schema"
import { Tier } from "../catalog/pricing.js"
import { CalendarDate } from "../commissions/model.js"
import { CustomerId } from "../customers/model.js"
import { AccountId } from "../identity/model.js"
import { prefixedId } from "../shared/ids.js"
import { Currency, DecimalString, Money } from "../shared/money.js"
import { Timestamp } from "../shared/time.js"

/**
 * Price lists (`prl_`, docs/channel.md "Price lists"): what an account (platform, distributor,
 * partner) charges the accounts or customers directly below it, in one currency, from
 * `valid_from` until `valid_to` (exclusive). A rule prices a plan, a SKU, a product's plans or
 * everything: a `fixed` price (a value, or tiers for a usage SKU), or a percentage over the
 * price the owner itself buys at, rounded to the cent or up to the next .99.
 */

export const PriceListId = prefixedId("prl", "PriceListId")
export type PriceListId = typeof PriceListId.Type

export const PriceRuleType = Schema.Literal("fixed", "markup_percent", "discount_percent")
export type PriceRuleType = typeof PriceRuleType.Type

/** `cent`: half-up to the minor unit; `ninety_nine`: then up to the next .99 (8.40 -> 8.99, 8.99 stays). */
export const PriceRounding = Schema.Literal("cent", "ninety_nine")
export type PriceRounding = typeof PriceRounding.Type

/** When a change reaches running subscriptions: from their next period, or from the period in course. */
export const PriceApply = Schema.Literal("at_renewal", "immediately")
export type PriceApply = typeof PriceApply.Type

/** A stored rule: exactly one target (`all` true when the rule prices everything), `value` or `tiers`. */
export class PriceRule extends Schema.Class<PriceRule>("PriceRule")({
  plan_id: Schema.NullOr(Schema.String),
  sku_id: Schema.NullOr(Schema.String),
  product_id: Schema.NullOr(Schema.String),
  all: Schema.Boolean,
  type: PriceRuleType,
  /** A price for `fixed`, a percentage otherwise ("30" is 30 %); null when `tiers` is given. */
  value: Schema.NullOr(DecimalString),
  /** A usage SKU's tiers (the catalog's shape), for `fixed` only; null otherwise. */
  tiers: Schema.NullOr(Schema.Array(Tier)),
  rounding: PriceRounding
}) {}

/** A rule as sent: one of `plan_id`, `sku_id`, `product_id` or `all: true`; checked by rules.ts `validateRules`. */
export const PriceRuleInput = Schema.Struct({
  plan_id: Schema.optional(Schema.String),
  sku_id: Schema.optional(Schema.String),
  product_id: Schema.optional(Schema.String),
  all: Schema.optional(Schema.Boolean),
  type: PriceRuleType,
  value: Schema.optional(DecimalString),
  tiers: Schema.optional(Schema.Array(Tier)),
  rounding: Schema.optionalWith(PriceRounding, { default: () => "cent" as const })
}).annotations({ identifier: "PriceRuleInput" })
export type PriceRuleInput = typeof PriceRuleInput.Type

/** Who a list is assigned to: every account or customer directly below its owner, or those named. */
export class PriceListAssignments extends Schema.Class<PriceListAssignments>("PriceListAssignments")({
  all: Schema.Boolean,
  account_ids: Schema.Array(Schema.String),
  customer_ids: Schema.Array(Schema.String)
}) {}

export class PriceList extends Schema.Class<PriceList>("PriceList")({
  id: PriceListId,
  owner_account_id: Schema.String,
  name: Schema.String,
  currency: Currency,
  valid_from: CalendarDate,
  /** Exclusive; null while open-ended. */
  valid_to: Schema.NullOr(CalendarDate),
  apply: PriceApply,
  rules: Schema.Array(PriceRule),
  assignments: PriceListAssignments,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

const Name = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))

export class CreatePriceList extends Schema.Class<CreatePriceList>("CreatePriceList")({
  /** The caller's account unless given (a platform admin may make a list for an account below it). */
  owner_account_id: Schema.optional(Schema.String),
  name: Name,
  currency: Currency,
  valid_from: CalendarDate,
  valid_to: Schema.optional(Schema.NullOr(CalendarDate)),
  apply: Schema.optionalWith(PriceApply, { default: () => "at_renewal" as const }),
  rules: Schema.Array(PriceRuleInput)
}) {}

/**
 * A partial update: an absent field keeps its value; `rules`, when sent, replaces them all. The
 * owner is fixed when the list is made: `owner_account_id` may be sent (a whole list sent back)
 * but only as it is.
 */
export class UpdatePriceList extends Schema.Class<UpdatePriceList>("UpdatePriceList")({
  owner_account_id: Schema.optional(Schema.String),
  name: Schema.optional(Name),
  currency: Schema.optional(Currency),
  valid_from: Schema.optional(CalendarDate),
  valid_to: Schema.optional(Schema.NullOr(CalendarDate)),
  apply: Schema.optional(PriceApply),
  rules: Schema.optional(Schema.Array(PriceRuleInput))
}) {}

/** `PUT /price-lists/{id}/assignments`: one of the three. */
export class AssignPriceList extends Schema.Class<AssignPriceList>("AssignPriceList")({
  account_ids: Schema.optional(Schema.Array(Schema.String)),
  customer_ids: Schema.optional(Schema.Array(Schema.String)),
  all: Schema.optional(Schema.Boolean)
}) {}

/** `customer_id` names a customer and `account_id` an account: the other kind's id is 422 naming the field. */
export const PriceQuery = Schema.Struct({
  customer_id: Schema.optional(CustomerId),
  account_id: Schema.optional(AccountId),
  /** The day the price is asked for (UTC today when absent). */
  date: Schema.optional(CalendarDate)
})

/** One tier of a resolved chain: what `account_id` buys at, and from which list and rule (when visible). */
export class PriceStep extends Schema.Class<PriceStep>("PriceStep")({
  account_id: Schema.String,
  price_list_id: Schema.NullOr(Schema.String),
  rule: Schema.NullOr(PriceRule),
  price: Money
}) {}

export class ResolvedPrice extends Schema.Class<ResolvedPrice>("ResolvedPrice")({
  plan_id: Schema.String,
  plan_version: Schema.Int,
  date: CalendarDate,
  /** The subject's price: the last step's. */
  price: Money,
  /** From the caller's own buying price down to the subject. */
  chain: Schema.Array(PriceStep)
}) {}
