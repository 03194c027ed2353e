import * as SqlClient from "@effect/sql/SqlClient"
import { type MarginAmount, MarginRepo } from "@provisio/core/channel/ports"
import type { BillingMonth } from "@provisio/core/invoices/model"
import type { Currency } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { creditedLines } from "../credited-lines.js"
import { orPersistenceError } from "../persistence.js"

/**
 * A tier's month in sums per plan or SKU, net of tax: what it sold (the lines of the invoices it
 * issued, finalized or paid, less the month's credit notes on them, and the costs of the accounts
 * it sells to) and what it bought (its own cost rows). Costs count when the customer's invoice they come from is finalized or paid,
 * as revenue does, so a voided invoice leaves both.
 */

interface AmountRow {
  readonly plan_id: string | null
  readonly sku_id: string | null
  readonly currency: Currency
  readonly amount: string
}

const toAmounts = (rows: ReadonlyArray<AmountRow>): ReadonlyArray<MarginAmount> =>
  rows.map((r) => ({ ...r, amount: BigDecimal.unsafeFromString(r.amount) }))

export const MarginRepoLive = Layer.effect(
  MarginRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const revenue = (accountId: string, period: BillingMonth) =>
      Effect.map(
        sql<AmountRow>`
          select plan_id, sku_id, currency, sum(amount)::text as amount from (
            select l.plan_id, case when l.plan_id is null then l.sku_id end as sku_id, i.currency, l.amount
              from invoices i join invoice_lines l on l.invoice_id = i.id
             where i.issuer_account_id = ${accountId} and i.period = ${period} and i.status in ('finalized', 'paid')
               and l.kind <> 'credit'
            union all
            -- The month's credit notes on its invoices, negative, on the lines they credit.
            select c.plan_id, case when c.plan_id is null then c.sku_id end, c.currency, c.amount
              from (${creditedLines(sql, period)}) c
             where c.issuer_account_id = ${accountId}
            union all
            select k.plan_id, k.sku_id, k.currency, k.amount
              from channel_costs k join invoices i on i.id = k.invoice_id
             where k.seller_account_id = ${accountId} and k.period = ${period} and i.status in ('finalized', 'paid')
          ) s
          group by plan_id, sku_id, currency
          order by currency, plan_id nulls last, sku_id`,
        toAmounts
      )

    const cost = (accountId: string, period: BillingMonth) =>
      Effect.map(
        sql<AmountRow>`
          select k.plan_id, k.sku_id, k.currency, sum(k.amount)::text as amount
            from channel_costs k join invoices i on i.id = k.invoice_id
           where k.buyer_account_id = ${accountId} and k.period = ${period} and i.status in ('finalized', 'paid')
           group by k.plan_id, k.sku_id, k.currency
           order by k.currency, k.plan_id nulls last, k.sku_id`,
        toAmounts
      )

    return MarginRepo.of({
      revenue: (accountId, period) => orPersistenceError(revenue(accountId, period)),
      cost: (accountId, period) => orPersistenceError(cost(accountId, period))
    })
  })
)
