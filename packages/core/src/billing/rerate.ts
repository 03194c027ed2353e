import * as Effect from "effect/Effect"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { usageLines } from "./build.js"
import { inputsWithUsage } from "./inputs.js"
import { BillingInputRepo, BillingInvoiceRepo, type PlacedLine } from "./ports.js"
import { TaxCalculator } from "../tax/ports.js"
import { ChannelCostRepo } from "../channel/ports.js"

/**
 * Inside a transaction: the usage lines and totals of the flagged drafts among `ids` (every
 * flagged draft when undefined) computed again from the usage now stored; the flag cleared.
 * Answers the drafts re-rated.
 */
export const rerateLocked = (ids: ReadonlyArray<string> | undefined) =>
  Effect.gen(function* () {
    const reads = yield* BillingInputRepo
    const writes = yield* BillingInvoiceRepo
    const flagged = yield* writes.lockFlaggedDrafts(ids)
    if (flagged.length === 0) return []
    const draftIds = flagged.map((d) => d.id)
    const periods = yield* reads.billedPeriodsOf(draftIds)
    const inputs = yield* inputsWithUsage(periods, [])
    // Each period's usage goes back on its own draft; lines in another currency are on that
    // currency's invoice, which is not re-rated here.
    const draftOf = new Map(flagged.map((d) => [d.id, d]))
    const lines: Array<PlacedLine> = []
    for (const p of periods) {
      const period = { start: p.period_start, end: p.period_end }
      const draft = draftOf.get(p.invoice_id)!
      for (const { costs, currency, line } of usageLines(p.subscription, period, inputs.usageOf(p.subscription_id, p.period_start))) {
        if (currency !== draft.currency) continue
        // With the new usage lines, their costs up the channel (docs/channel.md "Channel costs").
        lines.push(costs === undefined || costs.length === 0
          ? { invoice_id: p.invoice_id, line }
          : { invoice_id: p.invoice_id, line, costs: { customer_id: p.subscription.customer_id, period: draft.period, currency, tiers: costs } })
      }
    }
    yield* writes.deleteUsageLines(draftIds)
    yield* (yield* ChannelCostRepo).forgetUsage(draftIds)
    yield* writes.insertLines(lines, yield* now)
    yield* (yield* TaxCalculator).taxInvoices(draftIds)
    yield* writes.refreshTotals(draftIds, yield* now)
    yield* writes.clearRerate(draftIds)
    return draftIds
  })

/** Re-rates the flagged drafts among `invoiceIds`, in a transaction of its own. */
export const rerate = (invoiceIds: ReadonlyArray<string>) =>
  Effect.flatMap(Transactor, (transactor) => transactor.withTransaction(rerateLocked(invoiceIds)))
