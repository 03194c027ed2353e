import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import { type PriceModel, rate } from "../catalog/pricing.js"
import { proratedAmount } from "../billing/amounts.js"
import type { Currency } from "../shared/money.js"

/**
 * What each tier above a customer pays for one of the customer's lines (docs/channel.md "Channel
 * costs"): the partner buying from its distributor, the distributor from the platform (an agency
 * partner buys nothing). Pure: billing builds the costs with the line itself (build.ts), from the
 * buyers' prices its own price resolution read with the customer's, so a run writes them with the
 * lines and reads nothing back.
 */

/** A buyer's price for a plan over a subscription's period, as `PlanPrice` gives the customer's. */
export interface TierPlanPrice {
  readonly buyer_account_id: string
  readonly seller_account_id: string
  /** At the period's start. */
  readonly price: BigDecimal.BigDecimal
  /** Later prices inside the period, oldest first (an `immediately` list up the channel). */
  readonly changes?: ReadonlyArray<{ readonly from: DateTime.Utc; readonly price: BigDecimal.BigDecimal }>
}

/** A buyer's price model for a usage SKU over a subscription's period. */
export interface TierSkuModel {
  readonly buyer_account_id: string
  readonly seller_account_id: string
  readonly model: PriceModel
}

/** One buyer's cost of a line. */
export interface LineCost {
  readonly buyer_account_id: string
  readonly seller_account_id: string
  /** The buyer's unit price; null when several tiers priced a usage line. */
  readonly unit_cost: BigDecimal.BigDecimal | null
  readonly amount: BigDecimal.BigDecimal
}

/**
 * A plan line's costs: quantity x each buyer's unit price in force when the line's segment starts,
 * prorated as the customer's line is (days / period days), rounded once.
 */
export const planLineCosts = (
  tiers: ReadonlyArray<TierPlanPrice>,
  from: DateTime.Utc,
  quantity: BigDecimal.BigDecimal,
  proration: { readonly days: number; readonly period_days: number } | undefined,
  currency: Currency
): ReadonlyArray<LineCost> =>
  tiers.map((tier) => {
    const start = DateTime.toEpochMillis(from)
    const price = tier.changes?.filter((c) => DateTime.toEpochMillis(c.from) <= start).at(-1)?.price ?? tier.price
    return {
      buyer_account_id: tier.buyer_account_id,
      seller_account_id: tier.seller_account_id,
      unit_cost: price,
      amount: proratedAmount(price, quantity, proration, currency)
    }
  })

/** A usage line's costs: its quantity rated at each buyer's price model, as the customer's was at its own. */
export const usageLineCosts = (
  tiers: ReadonlyArray<TierSkuModel>,
  quantity: BigDecimal.BigDecimal,
  currency: Currency
): ReadonlyArray<LineCost> =>
  tiers.map((tier) => ({
    buyer_account_id: tier.buyer_account_id,
    seller_account_id: tier.seller_account_id,
    unit_cost: tier.model.model === "per_unit" ? tier.model.unit_price : null,
    amount: rate(tier.model, quantity, currency).amount
  }))
