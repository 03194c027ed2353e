import type * as BigDecimal from "effect/BigDecimal"
import type { Currency } from "../shared/money.js"
import { PriceStep, type PriceRule } from "./model.js"

/**
 * What a caller may see of a resolved chain (docs/channel.md "Who sees what"): the chain from
 * the caller's own buying price down, never a price or rule of a tier above it. The step where
 * the caller buys keeps its price but not the seller's list or rule (they are the seller's).
 */

/** One tier of a chain as the resolution (SQL `channel_plan_prices`) answers it, from the platform down. */
export interface ChainRow {
  /** Who buys at `price`: the platform (the list price), then each account, then the customer. */
  readonly buyer_id: string
  readonly price_list_id: string | null
  readonly rule: PriceRule | null
  readonly price: BigDecimal.BigDecimal
}

/**
 * The steps `callerAccountId` may see: from the one it buys at (its list and rule hidden, unless
 * it is the platform's own list price) to the subject's. Empty when the caller is not in the
 * chain (the subject is outside its scope).
 */
export const visibleChain = (
  rows: ReadonlyArray<ChainRow>,
  callerAccountId: string,
  currency: Currency
): ReadonlyArray<PriceStep> => {
  const from = rows.findIndex((row) => row.buyer_id === callerAccountId)
  if (from < 0) return []
  return rows.slice(from).map((row, i) =>
    new PriceStep({
      account_id: row.buyer_id,
      price_list_id: i === 0 ? null : row.price_list_id,
      rule: i === 0 ? null : row.rule,
      price: { amount: row.price, currency }
    })
  )
}
