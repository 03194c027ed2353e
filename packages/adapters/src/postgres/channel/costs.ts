import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { usageLineCosts } from "@provisio/core/channel/line-costs"
import { ChannelCostRepo } from "@provisio/core/channel/ports"
import type { InvoiceToIssue } from "@provisio/core/invoices/ports"
import { type Currency, formatDecimal } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { column, pgArray, unnestRows } from "../arrays.js"
import { invoicesToIssueSql } from "../invoices/json.js"
import { orPersistenceError } from "../persistence.js"
import { COSTED_BUYER } from "../pricing/billing-prices.js"
import { skuModels } from "../pricing/resolver.js"

/**
 * Channel costs of one-off lines (docs/channel.md "Channel costs"); the costs of plan and usage
 * lines are built with the lines themselves (core/channel/line-costs.ts) from the prices a billing
 * chunk reads. A one-off was priced when it was ordered, so its buyers' SKU price models are read
 * here, from its stored line, on the day its invoice was made: one call of channel_sku_prices for
 * all of them, rated in memory as usage is, written at once. The chains are resolved with the
 * partner as the subject (its buyers' prices do not depend on the customer).
 */

interface OneOffCostRow {
  readonly invoice_id: string
  readonly position: number
  readonly kind: string
  readonly sku_id: string
  readonly quantity: string
  readonly customer_id: string
  readonly currency: Currency
  readonly period: string
  readonly buyer_id: string
  readonly seller_id: string
  readonly model: "per_unit" | "graduated" | "volume" | "package"
  readonly unit_price: string | null
  readonly package_size: number | null
  readonly tiers: string
}

export const ChannelCostRepoLive = Layer.effect(
  ChannelCostRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** The invoices' heads: stored, or given (`unstored`, created at `at`). */
    const headsOf = (ids: string, unstored: ReadonlyArray<InvoiceToIssue>, at: string) => unstored.length === 0
      ? sql`select id, customer_id, currency, period, created_at from invoices where id = any(${ids}::text[])`
      : sql`select id, customer_id, currency, period, created_at from invoices where id = any(${ids}::text[])
            union all
            select d.id, d.customer_id, d.currency, d.period, ${at}::timestamptz from (${invoicesToIssueSql(sql, unstored)}) d`

    const linesOf = (ids: string, heads: Statement.Fragment) => sql`
      select l.invoice_id, l.position, l.kind, l.plan_id, l.sku_id, l.quantity, l.details, l.subscription_id,
             l.period_start, i.customer_id, cu.partner_id, i.currency, i.period, i.created_at, coalesce(s.time_zone, cu.timezone) as time_zone
        from invoice_lines l
        join (${heads}) i on i.id = l.invoice_id
        join customers cu on cu.id = i.customer_id
        left join subscriptions s on s.id = l.subscription_id
       where l.invoice_id = any(${ids}::text[]) and l.kind = 'one_off' and l.quantity is not null
         and not exists (select 1 from channel_costs k where k.invoice_id = l.invoice_id and k.line_position = l.position)`

    /** One-off lines with each buyer's SKU price model, on the day their invoice was made. */
    const oneOffCostInputs = (ids: string, heads: Statement.Fragment) => sql<OneOffCostRow>`
      with lines as (${linesOf(ids, heads)} and l.sku_id is not null),
      keyed as (select n.*, (coalesce(n.period_start, n.created_at) at time zone n.time_zone)::date as on_date from lines n),
      wanted as (
        select partner_id, sku_id, on_date, row_number() over () as ord
          from (select distinct partner_id, sku_id, on_date from keyed) d
      ),
      arrays as (
        select array_agg(partner_id order by ord) as subjects, array_agg(sku_id order by ord) as items,
               array_agg(on_date order by ord) as dates
          from wanted
      )
      select k.invoice_id, k.position, k.kind, k.sku_id, k.quantity::text as quantity, k.customer_id, k.currency, k.period,
             c.buyer_id, c.seller_id, c.model, c.unit_price::text as unit_price, c.package_size, c.tiers::text as tiers
        from arrays
        cross join lateral channel_sku_prices(arrays.subjects, arrays.items, arrays.dates) as c
        join wanted w on w.ord = c.ord
        join keyed k on k.partner_id = w.partner_id and k.sku_id = w.sku_id and k.on_date = w.on_date
        join accounts b on b.id = c.buyer_id
       where ${sql.unsafe(COSTED_BUYER)}`

    /** The one-off lines rated at each buyer's price model; written in one statement. */
    const recordOneOffCosts = (rows: ReadonlyArray<OneOffCostRow>, at: string) => {
      if (rows.length === 0) return Effect.void
      const cols = {
        invoice_id: column<string>("text"),
        line_position: column<number>("int4"),
        buyer_account_id: column<string>("text"),
        seller_account_id: column<string>("text"),
        customer_id: column<string>("text"),
        period: column<string>("text"),
        kind: column<string>("text"),
        sku_id: column<string>("text"),
        quantity: column<string>("numeric"),
        unit_cost: column<string | null>("numeric"),
        amount: column<string>("numeric"),
        currency: column<string>("text")
      }
      const modelOf = skuModels()
      for (const r of rows) {
        const model = modelOf(r)
        const [cost] = usageLineCosts([{ buyer_account_id: r.buyer_id, seller_account_id: r.seller_id, model }],
          BigDecimal.unsafeFromString(r.quantity), r.currency)
        cols.invoice_id.values.push(r.invoice_id)
        cols.line_position.values.push(r.position)
        cols.buyer_account_id.values.push(r.buyer_id)
        cols.seller_account_id.values.push(r.seller_id)
        cols.customer_id.values.push(r.customer_id)
        cols.period.values.push(r.period)
        cols.kind.values.push(r.kind)
        cols.sku_id.values.push(r.sku_id)
        cols.quantity.values.push(r.quantity)
        cols.unit_cost.values.push(cost!.unit_cost === null ? null : formatDecimal(cost!.unit_cost))
        cols.amount.values.push(formatDecimal(cost!.amount))
        cols.currency.values.push(r.currency)
      }
      return sql`
        insert into channel_costs (invoice_id, line_position, buyer_account_id, seller_account_id, period, customer_id, kind,
                                   plan_id, sku_id, quantity, unit_cost, amount, currency, created_at)
        select r.invoice_id, r.line_position, r.buyer_account_id, r.seller_account_id, r.period, r.customer_id, r.kind,
               null, r.sku_id, r.quantity, r.unit_cost, r.amount, r.currency, ${at}::timestamptz
          from ${unnestRows(sql, cols)}
        on conflict do nothing`.pipe(Effect.asVoid)
    }

    const record = (invoiceIds: ReadonlyArray<string>, at: DateTime.Utc, unstored: ReadonlyArray<InvoiceToIssue>) =>
      Effect.gen(function* () {
        if (invoiceIds.length === 0) return
        const ids = pgArray(invoiceIds)
        const iso = DateTime.formatIso(at)
        const heads = headsOf(ids, unstored, iso)
        yield* recordOneOffCosts(yield* oneOffCostInputs(ids, heads), iso)
      })

    const forgetUsage = (invoiceIds: ReadonlyArray<string>) =>
      invoiceIds.length === 0 ? Effect.void : Effect.asVoid(sql`
        delete from channel_costs where invoice_id = any(${pgArray(invoiceIds)}::text[]) and kind = 'usage'`)

    return ChannelCostRepo.of({
      record: (invoiceIds, at, unstored = []) => orPersistenceError(record(invoiceIds, at, unstored)),
      forgetUsage: (invoiceIds) => orPersistenceError(forgetUsage(invoiceIds))
    })
  })
)
