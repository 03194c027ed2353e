import type { SqlClient as Client } from "@effect/sql/SqlClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { type PriceModel, Tier } from "@provisio/core/catalog/pricing"
import { skuPriceModel, type SkuId, type PriceModelName } from "@provisio/core/catalog/model"
import { PriceRule } from "@provisio/core/pricing/model"
import { type PlanPriceRequest, PriceResolver, type SkuPriceRequest } from "@provisio/core/pricing/ports"
import type { ChainRow } from "@provisio/core/pricing/resolve"
import type { Currency } from "@provisio/core/shared/money"
import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray } from "../arrays.js"
import { orPersistenceError } from "../persistence.js"

/**
 * The price resolution on the SQL functions of migration 0028: one statement for any number of
 * requests (billing-prices.ts is the bulk form a billing chunk uses).
 */

export interface PlanPriceRow {
  /** The request's position, from 1. */
  readonly ord: number
  readonly buyer_id: string
  readonly price_list_id: string | null
  readonly rule_index: number | null
  readonly currency: Currency
  readonly price: string
}

/** Every tier of every request's chain, ordered by request and tier. */
export const planPriceRows = (sql: Client, requests: ReadonlyArray<PlanPriceRequest>) =>
  sql<PlanPriceRow>`
    select ord::int as ord, buyer_id, price_list_id, rule_index, currency, price::text as price
      from channel_plan_prices(${pgArray(requests.map((r) => r.subject_id))}::text[],
                               ${pgArray(requests.map((r) => r.plan_id))}::text[],
                               ${pgArray(requests.map((r) => r.plan_version))}::int[],
                               ${pgArray(requests.map((r) => r.on_date))}::date[])
     order by ord, step`

export interface SkuPriceRow {
  readonly ord: number
  readonly buyer_id: string
  readonly price_list_id: string | null
  readonly currency: Currency
  readonly model: typeof PriceModelName.Type
  readonly unit_price: string | null
  readonly package_size: number | null
  readonly tiers: ReadonlyArray<unknown>
}

/** Every tier of every SKU request's chain, ordered by request and tier. */
export const skuPriceRows = (sql: Client, requests: ReadonlyArray<SkuPriceRequest>) =>
  sql<SkuPriceRow>`
    select p.ord::int as ord, p.buyer_id, p.price_list_id, p.currency, p.model, p.unit_price::text as unit_price,
           p.package_size, p.tiers
      from channel_sku_prices(${pgArray(requests.map((r) => r.subject_id))}::text[],
                              ${pgArray(requests.map((r) => r.sku_id))}::text[],
                              ${pgArray(requests.map((r) => r.on_date))}::date[]) p
     order by p.ord, p.step`

const decodeTiers = Schema.decodeUnknownSync(Schema.Array(Tier))

/** A resolved SKU row as the price model `rate` reads. */
export const skuRowModel = (row: Pick<SkuPriceRow, "model" | "unit_price" | "package_size" | "tiers">, skuId: string): PriceModel =>
  skuPriceModel({
    id: skuId as SkuId,
    model: row.model,
    unit_price: row.unit_price === null ? null : BigDecimal.unsafeFromString(row.unit_price),
    package_size: row.package_size,
    tiers: decodeTiers(row.tiers)
  })

/**
 * Resolved SKU rows (tiers as JSON text) as price models, one object per distinct content: buyers
 * of one list share one model, so a chunk decodes it once and `rate` checks it once, not once a line.
 */
export const skuModels = () => {
  const models = new Map<string, PriceModel>()
  return (row: Pick<SkuPriceRow, "model" | "unit_price" | "package_size"> & { readonly sku_id: string; readonly tiers: string }) => {
    const content = `${row.sku_id}\u0000${row.model}\u0000${row.unit_price}\u0000${row.package_size}\u0000${row.tiers}`
    let model = models.get(content)
    if (model === undefined) {
      model = skuRowModel({ ...row, tiers: JSON.parse(row.tiers) }, row.sku_id)
      models.set(content, model)
    }
    return model
  }
}

const RuleRow = Schema.Struct({ price_list_id: Schema.String, position: Schema.Int, rule: PriceRule })

export const PriceResolverLive = Layer.effect(
  PriceResolver,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** The rules the chains name, by list and position. */
    const rulesOf = (rows: ReadonlyArray<{ readonly price_list_id: string | null; readonly rule_index: number | null }>) => {
      const named = rows.filter((r) => r.price_list_id !== null)
      if (named.length === 0) return Effect.succeed(new Map<string, PriceRule>())
      return Effect.map(
        Effect.flatMap(sql`
          select r.price_list_id, r.position, json_build_object('plan_id', r.plan_id, 'sku_id', r.sku_id, 'product_id', r.product_id,
                   'all', r.plan_id is null and r.sku_id is null and r.product_id is null, 'type', r.type,
                   'value', r.value::text, 'tiers', r.tiers, 'rounding', r.rounding) as rule
            from price_list_rules r
            join unnest(${pgArray(named.map((r) => r.price_list_id))}::text[], ${pgArray(named.map((r) => r.rule_index))}::int[])
                   as k (price_list_id, position) using (price_list_id, position)`, Schema.decodeUnknown(Schema.Array(RuleRow))),
        (found) => new Map(found.map((r) => [`${r.price_list_id}#${r.position}`, r.rule]))
      )
    }

    return PriceResolver.of({
      plans: (requests) =>
        requests.length === 0 ? Effect.succeed([]) : orPersistenceError(Effect.gen(function* () {
          const rows = yield* planPriceRows(sql, requests)
          const rules = yield* rulesOf(rows)
          const answers: Array<{ currency: Currency; chain: Array<ChainRow> } | null> = requests.map(() => null)
          for (const row of rows) {
            const answer = answers[row.ord - 1] ?? { currency: row.currency, chain: [] }
            answer.chain.push({
              buyer_id: row.buyer_id,
              price_list_id: row.price_list_id,
              rule: row.price_list_id === null ? null : rules.get(`${row.price_list_id}#${row.rule_index}`) ?? null,
              price: BigDecimal.unsafeFromString(row.price)
            })
            answers[row.ord - 1] = answer
          }
          return answers
        })),
      skus: (requests) =>
        requests.length === 0 ? Effect.succeed([]) : orPersistenceError(Effect.gen(function* () {
          const rows = yield* skuPriceRows(sql, requests)
          const answers: Array<{ currency: Currency; chain: Array<{ buyer_id: string; price_list_id: string | null; model: PriceModel }> } | null> =
            requests.map(() => null)
          for (const row of rows) {
            const answer = answers[row.ord - 1] ?? { currency: row.currency, chain: [] }
            answer.chain.push({ buyer_id: row.buyer_id, price_list_id: row.price_list_id, model: skuRowModel(row, requests[row.ord - 1]!.sku_id) })
            answers[row.ord - 1] = answer
          }
          return answers
        })),
      currentVersion: (planId) =>
        orPersistenceError(Effect.map(
          sql<{ readonly version: number }>`select coalesce(published_version, latest_version) as version from plans where id = ${planId}`,
          (rows) => Option.map(Option.fromNullable(rows[0]), (r) => r.version)
        ))
    })
  })
)
