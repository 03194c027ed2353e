import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { rate } from "@provisio/core/catalog/pricing"
import { ChannelCostRepo } from "@provisio/core/channel/ports"
import type { InvoiceToIssue } from "@provisio/core/invoices/ports"
import { type Currency, formatDecimal } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { column, pgArray, unnestRows } from "../arrays.js"
import { invoicesToIssueSql } from "../invoices/json.js"
import { minorUnitsSql } from "../json.js"
import { orPersistenceError } from "../persistence.js"
import { skuRowModel } from "../pricing/resolver.js"

/**
 * Channel costs of a chunk's lines (docs/channel.md "Channel costs"), in three statements
 * whatever the chunk's size: the plan lines costed in SQL (one insert over channel_plan_prices),
 * the usage and one-off lines' buyer price models read (one call of channel_sku_prices) and
 * rated in memory by the catalog's `rate`, as the customer's line was, then written at once.
 * The buyers are the accounts of the customer's lineage below the platform that buy what the
 * line sells: its distributor and its partner, unless the partner is an agency (its distributor
 * then sells to the customer itself). Their prices do not depend on the customer, so the chains
 * are resolved with the partner as the subject: once per partner, item and day in a chunk, not
 * once per customer.
 */

/** The buyers a line is costed for: the chain's accounts below the platform, agency partners aside. */
const BUYERS = `join accounts b on b.id = c.buyer_id
  where c.seller_id is not null and b.kind in ('distributor', 'partner') and coalesce(b.channel_model, 'reseller') = 'reseller'`

interface UsageCostRow {
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

    const linesOf = (ids: string, kinds: string, heads: Statement.Fragment) => sql`
      select l.invoice_id, l.position, l.kind, l.plan_id, l.sku_id, l.quantity, l.details, l.subscription_id,
             l.period_start, i.customer_id, cu.partner_id, i.currency, i.period, i.created_at, coalesce(s.time_zone, cu.timezone) as time_zone
        from invoice_lines l
        join (${heads}) i on i.id = l.invoice_id
        join customers cu on cu.id = i.customer_id
        left join subscriptions s on s.id = l.subscription_id
       where l.invoice_id = any(${ids}::text[]) and l.kind in (${sql.literal(kinds)}) and l.quantity is not null
         and not exists (select 1 from channel_costs k where k.invoice_id = l.invoice_id and k.line_position = l.position)`

    /**
     * Plan lines: quantity x the buyer's unit price, prorated by the line's own days / period
     * days, rounded once; resolved on the day the line's segment starts, at_renewal lists as they
     * were when its period began (billed_periods), as billing resolved the customer's price.
     */
    const recordPlanCosts = (ids: string, heads: Statement.Fragment, at: string) => sql`
      with lines as (${linesOf(ids, "'recurring', 'proration', 'installment'", heads)} and l.plan_id is not null),
      -- Each line's period (the billed period it falls in) and plan version (the latest change to
      -- its plan at its start, else the first), joined set-based: a lookup per line was a third
      -- of the statement.
      renewals as (
        select distinct on (n.invoice_id, n.position) n.invoice_id, n.position, b.period_start
          from lines n
          join billed_periods b on b.invoice_id = n.invoice_id and b.subscription_id = n.subscription_id
                               and b.period_start <= n.period_start
         order by n.invoice_id, n.position, b.period_start desc
      ),
      history as (
        select x.subscription_id, x.plan_id, x.plan_version, x.effective_at, x.id
          from subscription_history x where x.subscription_id in (select subscription_id from lines)
      ),
      versions as (
        select distinct on (n.invoice_id, n.position) n.invoice_id, n.position, x.plan_version
          from lines n
          join history x on x.subscription_id = n.subscription_id and x.plan_id = n.plan_id
         order by n.invoice_id, n.position, (x.effective_at <= n.period_start) desc,
                  case when x.effective_at <= n.period_start then x.effective_at end desc, x.effective_at,
                  case when x.effective_at <= n.period_start then x.id end desc, x.id
      ),
      keyed as (
        select n.*, (n.period_start at time zone n.time_zone)::date as on_date,
               (coalesce(r.period_start, n.period_start) at time zone n.time_zone)::date as renewal_date, v.plan_version
          from lines n
          left join renewals r using (invoice_id, position)
          left join versions v using (invoice_id, position)
      ),
      wanted as (
        select partner_id, plan_id, plan_version, on_date, renewal_date, row_number() over () as ord
          from (select distinct partner_id, plan_id, plan_version, on_date, renewal_date from keyed where plan_version is not null) d
      ),
      arrays as (
        select array_agg(partner_id order by ord) as subjects, array_agg(plan_id order by ord) as items,
               array_agg(plan_version order by ord) as versions, array_agg(on_date order by ord) as dates,
               array_agg(renewal_date order by ord) as renewals
          from wanted
      )
      insert into channel_costs (invoice_id, line_position, buyer_account_id, seller_account_id, period, customer_id, kind,
                                 plan_id, sku_id, quantity, unit_cost, amount, currency, created_at)
      select k.invoice_id, k.position, c.buyer_id, c.seller_id, k.period, k.customer_id, k.kind, k.plan_id, null, k.quantity, c.price,
             round(k.quantity * c.price * coalesce((k.details->>'days')::numeric, 1) / coalesce((k.details->>'period_days')::numeric, 1),
                   ${sql.unsafe(minorUnitsSql("k.currency"))}),
             k.currency, ${at}::timestamptz
        from arrays
        cross join lateral channel_plan_prices(arrays.subjects, arrays.items, arrays.versions, arrays.dates, arrays.renewals) as c
        join wanted w on w.ord = c.ord
        join keyed k on k.partner_id = w.partner_id and k.plan_id = w.plan_id and k.plan_version = w.plan_version
                    and k.on_date = w.on_date and k.renewal_date = w.renewal_date
        ${sql.unsafe(BUYERS)}
      on conflict do nothing`

    /** Usage and one-off lines with each buyer's SKU price model, on the day the line's period starts (a one-off's: its invoice's). */
    const usageCostInputs = (ids: string, heads: Statement.Fragment) => sql<UsageCostRow>`
      with lines as (${linesOf(ids, "'usage', 'one_off'", heads)} and l.sku_id is not null),
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
        ${sql.unsafe(BUYERS)}`

    /** The usage lines rated at each buyer's price model, as the customer's were at its own; written in one statement. */
    const recordUsageCosts = (rows: ReadonlyArray<UsageCostRow>, at: string) => {
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
      const models = new Map<string, ReturnType<typeof skuRowModel>>()
      for (const r of rows) {
        const content = `${r.sku_id}\u0000${r.model}\u0000${r.unit_price}\u0000${r.package_size}\u0000${r.tiers}`
        let model = models.get(content)
        if (model === undefined) {
          model = skuRowModel({ ...r, ord: 0, price_list_id: null, tiers: JSON.parse(r.tiers) }, r.sku_id)
          models.set(content, model)
        }
        const rating = rate(model, BigDecimal.unsafeFromString(r.quantity), r.currency)
        cols.invoice_id.values.push(r.invoice_id)
        cols.line_position.values.push(r.position)
        cols.buyer_account_id.values.push(r.buyer_id)
        cols.seller_account_id.values.push(r.seller_id)
        cols.customer_id.values.push(r.customer_id)
        cols.period.values.push(r.period)
        cols.kind.values.push(r.kind)
        cols.sku_id.values.push(r.sku_id)
        cols.quantity.values.push(r.quantity)
        cols.unit_cost.values.push(model.model === "per_unit" ? formatDecimal(model.unit_price) : null)
        cols.amount.values.push(formatDecimal(rating.amount))
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
        yield* recordPlanCosts(ids, heads, iso)
        yield* recordUsageCosts(yield* usageCostInputs(ids, heads), iso)
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
