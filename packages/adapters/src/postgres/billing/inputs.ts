import * as SqlClient from "@effect/sql/SqlClient"
import type { BillableSubscription, OneOffItem, SkuPricing } from "@provisio/core/billing/build"
import { BillingInputRepo, type PeriodKey, type PricedHistoryRow } from "@provisio/core/billing/ports"
import { BillingInterval, PriceModelName, type SkuId, skuPriceModel } from "@provisio/core/catalog/model"
import { Tier } from "@provisio/core/catalog/pricing"
import { Currency, DecimalString, money } from "@provisio/core/shared/money"
import { Timestamp } from "@provisio/core/shared/time"
import type { SubscriptionStatus } from "@provisio/core/subscriptions/model"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray, unnestRows } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"
import { resolvedPlanPrices, resolvedSkuPricing, skuPricingKey } from "../pricing/billing-prices.js"
import { decode, epochMillis, type Failure, instant, iso, periodColumns } from "./common.js"

/** What billing reads, set-based: customers, subscriptions and their history, usage totals, SKUs, one-offs, credit. */

const CustomerRow = Schema.Struct({
  id: Schema.String,
  partner_id: Schema.String,
  lineage: Schema.Array(Schema.String),
  timezone: Schema.String
})

const SubscriptionRow = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  product_id: Schema.String,
  parent_subscription_id: Schema.NullOr(Schema.String),
  anchor: Timestamp,
  time_zone: Schema.String,
  interval: BillingInterval,
  created_at: Timestamp
})

// The rows a chunk of a run reads, tens of thousands of them, as the queries below write them
// (instants as epoch milliseconds): mapped by hand rather than decoded.

interface SubscriptionJson {
  readonly id: string
  readonly customer_id: string
  readonly product_id: string
  readonly parent_subscription_id: string | null
  readonly anchor: number
  readonly time_zone: string
  readonly interval: BillingInterval
  readonly created_at: number
  readonly bill_while_suspended: boolean
}

// Field by field: overriding fields of a spread costs V8 microseconds a row.
const toBillable = (row: SubscriptionJson): BillableSubscription => ({
  id: row.id,
  customer_id: row.customer_id,
  product_id: row.product_id,
  parent_subscription_id: row.parent_subscription_id,
  anchor: instant(row.anchor),
  time_zone: row.time_zone,
  interval: row.interval,
  created_at: instant(row.created_at),
  bill_while_suspended: row.bill_while_suspended
})

interface HistoryJson {
  readonly subscription_id: string
  readonly effective_at: number
  readonly quantity: number
  readonly plan_id: string
  readonly plan_version: number
  readonly status: SubscriptionStatus
  readonly plan_name: string
  readonly price_amount: string
  readonly price_currency: Currency
  readonly commitment_months: number | null
}

const SkuRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  currency: Currency,
  model: PriceModelName,
  unit_price: Schema.NullOr(DecimalString),
  package_size: Schema.NullOr(Schema.Int),
  tiers: Schema.Array(Tier)
})

const OneOffRow = Schema.Struct({
  customer_id: Schema.String,
  order_item_id: Schema.String,
  sku_id: Schema.NullOr(Schema.String),
  description: Schema.String,
  quantity: Schema.Int,
  unit_price: Schema.NullOr(DecimalString),
  amount: DecimalString,
  currency: Currency
})

const CreditRow = Schema.Struct({ credit_note_id: Schema.String, currency: Schema.String, remaining: DecimalString })

const BilledPeriodRow = Schema.Struct({
  invoice_id: Schema.String,
  period_start: Timestamp,
  period_end: Timestamp,
  ...SubscriptionRow.fields
})

export const BillingInputRepoLive = Layer.effect(
  BillingInputRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const run = <A>(effect: Effect.Effect<A, Failure>) => orPersistenceError(effect)
    const { fromMillis, millisOf } = epochMillis(sql)
    // The issuer of a customer's invoices: its partner, or the partner's distributor when the
    // partner is an agency (docs/channel.md "Channel models").
    const customerSelect = sql`
      select id, partner_id, lineage, timezone from (
        select c.id, c.lineage, c.timezone,
               case when a.channel_model = 'agency' then a.parent_id else c.partner_id end as partner_id
          from customers c join accounts a on a.id = c.partner_id
      ) as customers`

    /**
     * The history rows with each customer's own price (price lists resolved for the period, one
     * statement for the chunk) and the prices an `immediately` list sets inside the period, and
     * the same for each tier above the customer that buys the plan (the lines' costs).
     */
    const withCustomerPrices = (periods: ReadonlyArray<PeriodKey>, rows: ReadonlyArray<PricedHistoryRow>) => {
      const periodOf = new Map(periods.map((p) => [p.subscription_id, p]))
      const wanted = new Map<string, { period: PeriodKey; plan_id: string; plan_version: number }>()
      for (const r of rows) {
        const period = periodOf.get(r.subscription_id)
        const k = `${r.subscription_id}\u0000${r.row.plan_id}\u0000${r.row.plan_version}`
        if (period !== undefined && !wanted.has(k)) wanted.set(k, { period, plan_id: r.row.plan_id, plan_version: r.row.plan_version })
      }
      return Effect.map(resolvedPlanPrices(sql, [...wanted.values()]), (prices) => {
        if (prices.length === 0) return rows
        const pricesOf = new Map<string, Array<(typeof prices)[number]>>()
        for (const p of prices) {
          const k = `${p.subscription_id}\u0000${p.plan_id}\u0000${p.plan_version}`
          const list = pricesOf.get(k)
          if (list === undefined) pricesOf.set(k, [p])
          else list.push(p)
        }
        const byStart = (a: { from_ms: number | null }, b: { from_ms: number | null }) => (a.from_ms ?? 0) - (b.from_ms ?? 0)
        return rows.map((r) => {
          const found = pricesOf.get(`${r.subscription_id}\u0000${r.row.plan_id}\u0000${r.row.plan_version}`)
          if (found === undefined) return r
          const currency = r.plan.price.currency
          const own = found.filter((p) => p.own)
          const start = own.find((p) => p.from_ms === null)
          const changes = own.filter((p) => p.from_ms !== null).sort(byStart)
            .map((p) => ({ from: instant(p.from_ms!), price: money(BigDecimal.unsafeFromString(p.price), currency) }))
          const buyers = new Map<string, Array<(typeof prices)[number]>>()
          for (const p of found) {
            if (p.own) continue
            const list = buyers.get(p.buyer_id)
            if (list === undefined) buyers.set(p.buyer_id, [p])
            else list.push(p)
          }
          const costs = [...buyers.values()].flatMap((list) => {
            const first = list.find((p) => p.from_ms === null)
            if (first === undefined) return []
            const later = list.filter((p) => p.from_ms !== null).sort(byStart)
              .map((p) => ({ from: instant(p.from_ms!), price: BigDecimal.unsafeFromString(p.price) }))
            return [{
              buyer_account_id: first.buyer_id,
              seller_account_id: first.seller_id,
              price: BigDecimal.unsafeFromString(first.price),
              ...(later.length === 0 ? {} : { changes: later })
            }]
          })
          return {
            ...r,
            plan: {
              ...r.plan,
              price: start === undefined ? r.plan.price : money(BigDecimal.unsafeFromString(start.price), currency),
              ...(changes.length === 0 ? {} : { changes }),
              costs
            }
          }
        })
      })
    }

    return BillingInputRepo.of({
      customersIn: (within, after, last) =>
        run(Effect.flatMap(
          sql`${customerSelect}
               where lineage @> array[${within}]::text[]
                 ${after === null ? sql`` : sql`and id > ${after}`}
                 ${last === null ? sql`` : sql`and id <= ${last}`}
               order by id`,
          decode(CustomerRow)
        )),

      customer: (id) =>
        run(Effect.flatMap(sql`${customerSelect} where id = ${id}`, decode(CustomerRow))).pipe(
          Effect.map((rows) => Option.fromNullable(rows[0]))
        ),

      subscriptionsOf: (customerIds, from, to) =>
        customerIds.length === 0 ? Effect.succeed([]) : run(Effect.map(
          sql<SubscriptionJson>`
            select id, customer_id, product_id, parent_subscription_id, ${millisOf("billing_anchor")} as anchor,
                   time_zone, billing_interval as interval, ${millisOf("created_at")} as created_at,
                   -- The customer's dunning policy: the nearest up its lineage, billing suspended time by default.
                   coalesce((select p.bill_while_suspended
                               from dunning_policies p
                               join unnest(s.lineage) with ordinality as l (account_id, depth) using (account_id)
                              order by l.depth desc limit 1), true) as bill_while_suspended
              from subscriptions s
             where customer_id = any(${pgArray(customerIds)}::text[]) and status <> 'pending'
               and billing_anchor < ${iso(to)}
               and (status in ('active', 'suspended') or coalesce(cancelled_at, expired_at, updated_at) > ${iso(from)})
             order by id`,
          (rows) => rows.map(toBillable)
        )),

      lockSubscriptions: (ids) =>
        ids.length === 0 ? Effect.void : run(Effect.asVoid(sql`
          select count(*) from (
            select id from subscriptions where id = any(${pgArray(ids)}::text[]) order by id for no key update
          ) as held`)),

      historyOf: (periods) => {
        if (periods.length === 0) return Effect.succeed([])
        return run(Effect.flatMap(
          sql<HistoryJson>`
            select h.subscription_id, ${millisOf("h.effective_at")} as effective_at, h.quantity, h.plan_id, h.plan_version,
                   h.status, v.name as plan_name, v.price_amount::text as price_amount, v.price_currency, v.commitment_months
              from ${unnestRows(sql, periodColumns(periods), { alias: "k" })}
              cross join lateral (
                select ${fromMillis("k.start_ms")} as period_start,
                       ${fromMillis("k.end_ms")} as period_end
              ) p
              join subscription_history h
                on h.subscription_id = k.subscription_id and h.effective_at < p.period_end
               and h.effective_at >= coalesce(
                     (select max(h2.effective_at) from subscription_history h2
                       where h2.subscription_id = k.subscription_id and h2.effective_at <= p.period_start),
                     '-infinity'::timestamptz)
              join plan_versions v on v.plan_id = h.plan_id and v.version = h.plan_version
             order by h.subscription_id, h.effective_at, h.id`,
          (rows) => withCustomerPrices(periods, rows.map((r) => ({
              subscription_id: r.subscription_id,
              row: {
                effective_at: instant(r.effective_at),
                quantity: r.quantity,
                plan_id: r.plan_id,
                plan_version: r.plan_version,
                status: r.status
              },
              plan: {
                plan_id: r.plan_id,
                version: r.plan_version,
                name: r.plan_name,
                price: money(BigDecimal.unsafeFromString(r.price_amount), r.price_currency),
                commitment_months: r.commitment_months
              }
            })))
        ))
      },

      usageOf: (periods) => {
        if (periods.length === 0) return Effect.succeed([])
        const { end_ms: _, ...starts } = periodColumns(periods)
        // The running totals ingestion keeps: one row per period and SKU, not its records.
        return run(Effect.flatMap(
          sql<{ readonly subscription_id: string; readonly start_ms: number; readonly sku_id: string; readonly quantity: string }>`
            select k.subscription_id, k.start_ms::float8 as start_ms, u.sku_id, u.quantity::text as quantity
              from ${unnestRows(sql, starts, { alias: "k" })}
              join usage_totals u
                on u.subscription_id = k.subscription_id and u.period_start = ${fromMillis("k.start_ms")}`,
          (rows) =>
            // The SKUs as the customer's chain prices them (its own, its buyers' above), resolved for the chunk at once.
            Effect.map(resolvedSkuPricing(sql, rows), (listed) =>
              rows.map((r) => {
                const resolved = listed.get(skuPricingKey(r.subscription_id, r.start_ms, r.sku_id))
                return {
                  subscription_id: r.subscription_id,
                  period_start: instant(r.start_ms),
                  sku_id: r.sku_id,
                  quantity: BigDecimal.unsafeFromString(r.quantity),
                  ...(resolved?.pricing === undefined ? {} : { pricing: resolved.pricing }),
                  ...(resolved === undefined ? {} : { costs: resolved.costs })
                }
              }))
        ))
      },

      skus: (ids) =>
        ids.length === 0 ? Effect.succeed([]) : run(Effect.map(
          Effect.flatMap(
            sql`
              select s.id, s.name, s.currency, s.model, s.unit_price::text as unit_price, s.package_size,
                     coalesce((select json_agg(
                                        jsonb_build_object('up_to', t.up_to, 'unit_price', t.unit_price::text)
                                        || case when t.flat_fee is null then '{}'::jsonb
                                                else jsonb_build_object('flat_fee', t.flat_fee::text) end
                                        order by t.position)
                                 from sku_tiers t where t.sku_id = s.id), '[]'::json) as tiers
                from skus s where s.id = any(${pgArray(ids)}::text[])`,
            decode(SkuRow)
          ),
          (rows) =>
            rows.map((s): SkuPricing => ({ id: s.id, name: s.name, currency: s.currency, model: skuPriceModel({ ...s, id: s.id as SkuId }) }))
        )),

      oneOffsOf: (customers) =>
        customers.length === 0 ? Effect.succeed([]) : run(Effect.map(
          Effect.flatMap(
            sql`
              select o.customer_id, i.id as order_item_id, i.sku_id, coalesce(s.name, 'One-off purchase') as description,
                     i.quantity, i.unit_price_amount::text as unit_price, i.amount::text as amount,
                     i.amount_currency as currency
                from unnest(${pgArray(customers.map((c) => c.id))}::text[], ${pgArray(customers.map((c) => iso(c.before)))}::timestamptz[])
                       as c(id, before)
                join orders o on o.customer_id = c.id and o.status = 'completed' and o.completed_at < c.before
                join order_items i on i.order_id = o.id and i.action = 'purchase' and i.status = 'completed'
                                  and i.amount is not null
                left join skus s on s.id = i.sku_id
               where not exists (select 1 from invoice_lines l where l.order_item_id = i.id)
               order by o.customer_id, o.completed_at, i.id`,
            decode(OneOffRow)
          ),
          (rows) =>
            rows.map((r) => ({
              customer_id: r.customer_id,
              item: {
                order_item_id: r.order_item_id,
                sku_id: r.sku_id,
                description: r.description,
                quantity: r.quantity,
                unit_price: r.unit_price,
                amount: money(r.amount, r.currency)
              } satisfies OneOffItem
            }))
        )),

      creditsOf: (customerId) =>
        run(Effect.flatMap(
          sql`select id as credit_note_id, currency, remaining::text as remaining from credit_notes
               where customer_id = ${customerId} and remaining > 0 order by created_at, id`,
          decode(CreditRow)
        )),

      billedPeriodsOf: (invoiceIds) =>
        invoiceIds.length === 0 ? Effect.succeed([]) : run(Effect.map(
          Effect.flatMap(
            sql`
              select bp.invoice_id, bp.period_start, bp.period_end, s.id, s.customer_id, s.product_id,
                     s.parent_subscription_id, s.billing_anchor as anchor, s.time_zone, s.billing_interval as interval,
                     s.created_at
                from billed_periods bp join subscriptions s on s.id = bp.subscription_id
               where bp.invoice_id = any(${pgArray(invoiceIds)}::text[])
               order by s.id`,
            decode(BilledPeriodRow)
          ),
          (rows) =>
            rows.map(({ invoice_id, period_end, period_start, ...subscription }) => ({
              invoice_id,
              subscription_id: subscription.id,
              period_start,
              period_end,
              subscription
            }))
        ))
    })
  })
)
