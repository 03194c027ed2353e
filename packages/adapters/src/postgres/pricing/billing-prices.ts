import type { SqlClient } from "@effect/sql/SqlClient"
import type { SkuPricing } from "@provisio/core/billing/build"
import type { PeriodKey } from "@provisio/core/billing/ports"
import type { Currency } from "@provisio/core/shared/money"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import { pgArray } from "../arrays.js"
import { fromEpochMillisSql } from "../json.js"
import { skuRowModel } from "./resolver.js"

/**
 * The customers' prices a billing chunk rates at, in one statement each for its plans and its
 * SKUs, whatever the number of subscriptions: each (customer, plan version or SKU, day) resolved
 * once by `channel_plan_prices` / `channel_sku_prices` on the local day its period starts (so a
 * list dated inside a period reaches the subscription at its next period: `at_renewal`). With no
 * price list in the database the statements read nothing and billing keeps the catalog's prices.
 */

/**
 * The CTEs `periods` (each input row with its customer and the local day its period starts),
 * `wanted` (each distinct customer, item, version and day once, numbered) and `arrays` (those as
 * the resolution functions take them). Empty when no price list exists.
 */
const periodsCte = (
  sql: SqlClient,
  subscriptionIds: ReadonlyArray<string>,
  startMs: ReadonlyArray<number>,
  itemIds: ReadonlyArray<string>,
  versions: ReadonlyArray<number>
) => sql`
  periods as (
    select x.subscription_id, x.start_ms, x.item_id, x.plan_version, s.customer_id,
           ((${sql.unsafe(fromEpochMillisSql("x.start_ms"))}) at time zone s.time_zone)::date as on_date
      from unnest(${pgArray(subscriptionIds)}::text[], ${pgArray(startMs)}::int8[], ${pgArray(itemIds)}::text[],
                  ${pgArray(versions)}::int[]) as x (subscription_id, start_ms, item_id, plan_version)
      join subscriptions s on s.id = x.subscription_id
     where exists (select 1 from price_lists)
  ),
  wanted as (
    select customer_id, item_id, plan_version, on_date, row_number() over () as ord
      from (select distinct customer_id, item_id, plan_version, on_date from periods) as d
  ),
  arrays as (
    select array_agg(customer_id order by ord) as subjects, array_agg(item_id order by ord) as items,
           array_agg(plan_version order by ord) as versions, array_agg(on_date order by ord) as dates
      from wanted
  )`

/** The resolved price of each (subscription, plan, version) of the periods: only those whose customer has a list price. */
export const resolvedPlanPrices = (
  sql: SqlClient,
  rows: ReadonlyArray<{ readonly period: PeriodKey; readonly plan_id: string; readonly plan_version: number }>
) =>
  rows.length === 0 ? Effect.succeed([]) : sql<{
    readonly subscription_id: string
    readonly plan_id: string
    readonly plan_version: number
    readonly price: string
  }>`
     with ${periodsCte(
    sql,
    rows.map((r) => r.period.subscription_id),
    rows.map((r) => DateTime.toEpochMillis(r.period.period_start)),
    rows.map((r) => r.plan_id),
    rows.map((r) => r.plan_version)
  )}
     select p0.subscription_id, p0.item_id as plan_id, p0.plan_version, c.price::text as price
       from arrays
       cross join lateral channel_plan_prices(arrays.subjects, arrays.items, arrays.versions, arrays.dates) as c
       join wanted w on w.ord = c.ord and c.buyer_id = w.customer_id
       join periods p0 on p0.customer_id = w.customer_id and p0.item_id = w.item_id
                      and p0.plan_version = w.plan_version and p0.on_date = w.on_date
      where c.price_list_id is not null`

/** The SKUs a price list prices for each usage total's customer, by (subscription, period start ms, SKU). */
export const resolvedSkuPricing = (
  sql: SqlClient,
  usage: ReadonlyArray<{ readonly subscription_id: string; readonly start_ms: number; readonly sku_id: string }>
) =>
  usage.length === 0 ? Effect.succeed(new Map<string, SkuPricing>()) : Effect.map(
    sql<{
      readonly subscription_id: string
      readonly start_ms: number
      readonly sku_id: string
      readonly name: string
      readonly ord: number
      readonly buyer_id: string
      readonly price_list_id: string | null
      readonly currency: Currency
      readonly model: "per_unit" | "graduated" | "volume" | "package"
      readonly unit_price: string | null
      readonly package_size: number | null
      readonly tiers: ReadonlyArray<unknown>
    }>`
       with ${periodsCte(sql, usage.map((u) => u.subscription_id), usage.map((u) => u.start_ms), usage.map((u) => u.sku_id), usage.map(() => 0))}
       select p0.subscription_id, p0.start_ms::float8 as start_ms, p0.item_id as sku_id, k.name, c.ord::int as ord, c.buyer_id,
              c.price_list_id, c.currency, c.model, c.unit_price::text as unit_price, c.package_size, c.tiers
         from arrays
         cross join lateral channel_sku_prices(arrays.subjects, arrays.items, arrays.dates) as c
         join wanted w on w.ord = c.ord and c.buyer_id = w.customer_id
         join periods p0 on p0.customer_id = w.customer_id and p0.item_id = w.item_id and p0.on_date = w.on_date
         join skus k on k.id = p0.item_id
        where c.price_list_id is not null`,
    (rows) =>
      new Map(rows.map((r) => [
        skuPricingKey(r.subscription_id, r.start_ms, r.sku_id),
        { id: r.sku_id, name: r.name, currency: r.currency, model: skuRowModel(r, r.sku_id) } satisfies SkuPricing
      ]))
  )

export const skuPricingKey = (subscriptionId: string, startMs: number, skuId: string) => `${subscriptionId}\u0000${startMs}\u0000${skuId}`
