import * as SqlClient from "@effect/sql/SqlClient"
import { type MarginAmount, type MarginCommission, MarginRepo } from "@provisio/core/channel/ports"
import type { BillingMonth } from "@provisio/core/invoices/model"
import type { Currency } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ruleInForce } from "../commissions.js"
import { creditedLines, notSpentInvoiceCredit } from "../credited-lines.js"
import { orPersistenceError } from "../persistence.js"

/**
 * A tier's month in sums per plan or SKU, net of tax: what it sold (the lines of the invoices it
 * issued, finalized or paid, less the month's credit notes on them, and the costs of the accounts
 * it sells to) and what it bought (its own cost rows). Costs count when the customer's invoice they come from is finalized or paid,
 * as revenue does, so a voided invoice leaves both. A partner's invoices say which model they were
 * sold under: those it issued (reseller) are its revenue, those its distributor issued for its
 * customers (agency) its commission, whatever its channel_model is today.
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

    // The commission summary's aggregate (adapters/postgres/commissions.ts `revenue`) for one
    // partner, on the invoices of its customers another account issued: every line of the month's
    // finalized and paid ones and the lines the month's credit notes took off them (negative), each
    // under the partner's rule in force on the month's first day. One statement.
    const commission = (partnerId: string, period: BillingMonth) =>
      Effect.map(
        sql<{ currency: Currency; amount: string }>`
          with priced as (
            select i.currency, l.amount, r.percentage
              from invoices i
              join accounts a on a.id = ${partnerId}
              join invoice_lines l on l.invoice_id = i.id
              ${ruleInForce(sql, period)}
             where i.lineage @> array[${partnerId}]::text[] and i.issuer_account_id <> ${partnerId}
               and i.period = ${period} and i.status in ('finalized', 'paid') and ${notSpentInvoiceCredit(sql)}
            union all
            select l.currency, l.amount, r.percentage
              from (${creditedLines(sql, period)}) l
              join accounts a on a.id = ${partnerId}
              ${ruleInForce(sql, period)}
             where l.lineage @> array[${partnerId}]::text[] and l.issuer_account_id <> ${partnerId}
          )
          select currency, coalesce(sum(amount * percentage * 0.01), 0)::text as amount
            from priced group by currency order by currency`,
        (rows): ReadonlyArray<MarginCommission> =>
          rows.map((r) => ({ currency: r.currency, amount: BigDecimal.unsafeFromString(r.amount) }))
      )

    return MarginRepo.of({
      revenue: (accountId, period) => orPersistenceError(revenue(accountId, period)),
      cost: (accountId, period) => orPersistenceError(cost(accountId, period)),
      commission: (partnerId, period) => orPersistenceError(commission(partnerId, period))
    })
  })
)
