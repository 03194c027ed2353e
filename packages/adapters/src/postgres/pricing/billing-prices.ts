import type { SqlClient } from "@effect/sql/SqlClient"
import type { SkuPricing } from "@provisio/core/billing/build"
import type { TierSkuModel } from "@provisio/core/channel/line-costs"
import type { PriceModel } from "@provisio/core/catalog/pricing"
import type { PeriodKey } from "@provisio/core/billing/ports"
import type { Currency } from "@provisio/core/shared/money"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"
import { epochMillisSql, fromEpochMillisSql } from "../json.js"
import { skuModels } from "./resolver.js"

/**
 * The customers' prices a billing chunk rates at, in one statement each for its plans and its
 * SKUs, whatever the number of subscriptions: each (customer, plan version or SKU, day) resolved
 * once by `channel_plan_prices` / `channel_sku_prices` on the local day its period starts (so an
 * `at_renewal` list dated inside a period reaches the subscription at its next period), plans
 * again on the days an `immediately` list starts or ends inside it. The same rows give the prices
 * of the tiers above each customer that buy what it bought: its lines' costs up the channel
 * (core/channel/line-costs.ts), read with its prices rather than from its lines once written.
 */

/**
 * The CTEs `periods` (each input row, numbered n from 1, with its customer and the local day its
 * period starts), `wanted` (each distinct customer, item, version and day once, numbered, with
 * the periods it prices) and `arrays` (those as the resolution functions take them).
 */
const periodsCte = (
  sql: SqlClient,
  subscriptionIds: ReadonlyArray<string>,
  startMs: ReadonlyArray<number>,
  itemIds: ReadonlyArray<string>,
  versions: ReadonlyArray<number>
) => sql`
  periods as (
    select x.n, x.item_id, x.plan_version, s.customer_id,
           ((${sql.unsafe(fromEpochMillisSql("x.start_ms"))}) at time zone s.time_zone)::date as on_date
      from unnest(${pgArray(subscriptionIds)}::text[], ${pgArray(startMs)}::int8[], ${pgArray(itemIds)}::text[],
                  ${pgArray(versions)}::int[]) with ordinality as x (subscription_id, start_ms, item_id, plan_version, n)
      join subscriptions s on s.id = x.subscription_id
  ),
  wanted as (
    select customer_id, item_id, plan_version, on_date, row_number() over () as ord, periods
      from (select customer_id, item_id, plan_version, on_date, array_agg(n) as periods
              from periods group by customer_id, item_id, plan_version, on_date) as d
  ),
  arrays as (
    select array_agg(customer_id order by ord) as subjects, array_agg(item_id order by ord) as items,
           array_agg(plan_version order by ord) as versions, array_agg(on_date order by ord) as dates,
           jsonb_agg(periods order by ord) as period_sets
      from wanted
  )`

/**
 * A plan price of a subscription's period, from its start (`from_ms` null) or from a day inside
 * it: the customer's (`own`), or that of a tier above it that buys the plan (its cost).
 */
export interface PeriodPlanPrice {
  readonly subscription_id: string
  readonly plan_id: string
  readonly plan_version: number
  readonly from_ms: number | null
  readonly buyer_id: string
  readonly seller_id: string
  readonly own: boolean
  readonly price: string
}

/**
 * The buyers a line is costed for, among a chain's rows `c` with `b` the buyer's account (left
 * joined): the accounts below the platform, agency partners aside (docs/channel.md "Channel costs").
 */
export const COSTED_BUYER = `c.seller_id is not null and b.kind in ('distributor', 'partner') and coalesce(b.channel_model, 'reseller') = 'reseller'`

/**
 * Each (subscription, plan, version) of the periods at its customer's price and at the price of
 * each tier above that buys it: at the period's start (`at_renewal` lists as they were then), and
 * again from each day inside the period on which an `immediately` list up the customer's lineage
 * starts or ends (what a proration then splits at). With no price list, every tier's is the plan's.
 */
export const resolvedPlanPrices = (
  sql: SqlClient,
  rows: ReadonlyArray<{ readonly period: PeriodKey; readonly plan_id: string; readonly plan_version: number }>
) =>
  rows.length === 0 ? Effect.succeed([]) : Effect.map(sql<{
    readonly uses: ReadonlyArray<readonly [string, number | null]>
    readonly plan_id: string
    readonly plan_version: number
    readonly buyer_id: string
    readonly seller_id: string | null
    readonly own: boolean
    readonly price: string
  }>`
    with periods as (
      select x.subscription_id, x.item_id, x.plan_version, s.customer_id, s.lineage, s.time_zone,
             ((${sql.unsafe(fromEpochMillisSql("x.start_ms"))}) at time zone s.time_zone)::date as renewal,
             ((${sql.unsafe(fromEpochMillisSql("x.end_ms"))}) at time zone s.time_zone)::date as last_day
        from unnest(${pgArray(rows.map((r) => r.period.subscription_id))}::text[],
                    ${pgArray(rows.map((r) => DateTime.toEpochMillis(r.period.period_start)))}::int8[],
                    ${pgArray(rows.map((r) => DateTime.toEpochMillis(r.period.period_end)))}::int8[],
                    ${pgArray(rows.map((r) => r.plan_id))}::text[],
                    ${pgArray(rows.map((r) => r.plan_version))}::int[]) as x (subscription_id, start_ms, end_ms, item_id, plan_version)
        join subscriptions s on s.id = x.subscription_id
    ),
    days as (
      select p.subscription_id, p.item_id, p.plan_version, p.customer_id, p.time_zone, p.renewal, p.renewal as day, true as first
        from periods p
      union all
      select distinct p.subscription_id, p.item_id, p.plan_version, p.customer_id, p.time_zone, p.renewal, d.day, false
        from periods p
        join price_lists l on l.owner_account_id = any(p.lineage) and l.apply = 'immediately'
        cross join lateral (values (l.valid_from), (l.valid_to)) as d (day)
       where d.day > p.renewal and d.day < p.last_day
    ),
    wanted as (
      select customer_id, item_id, plan_version, day, renewal, row_number() over () as ord, uses
        from (select customer_id, item_id, plan_version, day, renewal,
                     jsonb_agg(jsonb_build_array(subscription_id,
                       case when first then null else ${sql.unsafe(epochMillisSql("(day::timestamp at time zone time_zone)"))} end)) as uses
                from days group by customer_id, item_id, plan_version, day, renewal) as d
    ),
    arrays as (
      select array_agg(customer_id order by ord) as subjects, array_agg(item_id order by ord) as items,
             array_agg(plan_version order by ord) as versions, array_agg(day order by ord) as dates,
             array_agg(renewal order by ord) as renewals, jsonb_agg(uses order by ord) as use_sets
        from wanted
    )
    -- Each distinct request's prices with the periods they price (by position in the arrays),
    -- joined back in memory: a join back in SQL is a nested loop over every pair (the planner
    -- takes the function's result for a row or two).
    select arrays.use_sets -> (c.ord::int - 1) as uses, arrays.items[c.ord] as plan_id, arrays.versions[c.ord] as plan_version,
           c.buyer_id, c.seller_id, c.buyer_id = arrays.subjects[c.ord] as own, c.price::text as price
      from arrays
      cross join lateral channel_plan_prices(arrays.subjects, arrays.items, arrays.versions, arrays.dates, arrays.renewals) as c
      left join accounts b on b.id = c.buyer_id
     where c.buyer_id = arrays.subjects[c.ord] or (${sql.unsafe(COSTED_BUYER)})`,
    (found) => {
      const prices: Array<PeriodPlanPrice> = []
      for (const r of found) {
        for (const [subscription_id, from_ms] of r.uses) {
          prices.push({
            subscription_id,
            plan_id: r.plan_id,
            plan_version: r.plan_version,
            from_ms,
            buyer_id: r.buyer_id,
            seller_id: r.seller_id ?? "",
            own: r.own,
            price: r.price
          })
        }
      }
      return prices
    })

/** A usage total's SKU as a price list prices it for the customer (absent: the catalog's), and each buyer's model above it. */
export interface ResolvedSku {
  readonly pricing?: SkuPricing
  readonly costs: ReadonlyArray<TierSkuModel>
}

/** The SKUs of each usage total as its customer's chain prices them, by (subscription, period start ms, SKU). */
export const resolvedSkuPricing = (
  sql: SqlClient,
  usage: ReadonlyArray<{ readonly subscription_id: string; readonly start_ms: number; readonly sku_id: string }>
) =>
  usage.length === 0 ? Effect.succeed(new Map<string, ResolvedSku>()) : Effect.map(
    sql<{
      readonly periods: ReadonlyArray<number>
      readonly sku_id: string
      readonly name: string
      readonly ord: number
      readonly buyer_id: string
      readonly seller_id: string | null
      readonly own: boolean
      readonly price_list_id: string | null
      readonly currency: Currency
      readonly model: "per_unit" | "graduated" | "volume" | "package"
      readonly unit_price: string | null
      readonly package_size: number | null
      readonly tiers: string
    }>`
       with ${periodsCte(sql, usage.map((u) => u.subscription_id), usage.map((u) => u.start_ms), usage.map((u) => u.sku_id), usage.map(() => 0))}
       -- Each distinct request's prices with the periods they price (by position in the arrays),
       -- joined back in memory: joins back by ord were nested loops over every pair (the planner
       -- takes the function's result for a row or two), 80 ms a chunk of 1,250 usage totals.
       select arrays.period_sets -> (c.ord::int - 1) as periods, k.id as sku_id, k.name, c.ord::int as ord, c.buyer_id,
              c.seller_id, c.buyer_id = arrays.subjects[c.ord] as own, c.price_list_id, c.currency, c.model,
              c.unit_price::text as unit_price, c.package_size, c.tiers::text as tiers
         from arrays
         cross join lateral channel_sku_prices(arrays.subjects, arrays.items, arrays.dates) as c
         join skus k on k.id = arrays.items[c.ord]
         left join accounts b on b.id = c.buyer_id
        where (c.buyer_id = arrays.subjects[c.ord] and c.price_list_id is not null) or (${sql.unsafe(COSTED_BUYER)})`,
    (rows) => {
      // Customers of one list share one price model (skuModels), and one SkuPricing around it.
      const modelOf = skuModels()
      const pricings = new Map<PriceModel, SkuPricing>()
      const pricingOf = (r: (typeof rows)[number]) => {
        const model = modelOf(r)
        let pricing = pricings.get(model)
        if (pricing === undefined) pricings.set(model, pricing = { id: r.sku_id, name: r.name, currency: r.currency, model })
        return pricing
      }
      const byPeriod = new Map<string, { pricing?: SkuPricing; costs: Array<TierSkuModel> }>()
      for (const r of rows) {
        const pricing = pricingOf(r)
        for (const n of r.periods) {
          const u = usage[n - 1]!
          const k = skuPricingKey(u.subscription_id, u.start_ms, u.sku_id)
          let resolved = byPeriod.get(k)
          if (resolved === undefined) byPeriod.set(k, resolved = { costs: [] })
          if (r.own) resolved.pricing = pricing
          else resolved.costs.push({ buyer_account_id: r.buyer_id, seller_account_id: r.seller_id!, model: pricing.model })
        }
      }
      return byPeriod as Map<string, ResolvedSku>
    }
  )

export const skuPricingKey = (subscriptionId: string, startMs: number, skuId: string) => `${subscriptionId}\u0000${startMs}\u0000${skuId}`
