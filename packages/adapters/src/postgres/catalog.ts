import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import { DuplicatePlan, DuplicateProduct, DuplicateSku } from "@provisio/core/catalog/errors"
import { Characteristic, City, Plan, Product, Sku } from "@provisio/core/catalog/model"
import { PlaceRepo, PlanRepo, ProductRepo, SkuRepo } from "@provisio/core/catalog/ports"
import type { PersistenceError } from "@provisio/core/shared/errors"
import { formatDecimal } from "@provisio/core/shared/money"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import type * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { isUniqueViolation, orPersistenceError } from "./persistence.js"

// Money and prices are NUMERIC, written and read as decimal text (never through a JS number).
// Nested records (availability, tiers, a plan's price) are assembled as JSON by the queries, with
// every NUMERIC cast to text first: a JSON number would reach us through a binary float.

type Failure = SqlError | ParseResult.ParseError | Cause.NoSuchElementException

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)
const decimal = (value: Parameters<typeof formatDecimal>[0] | null) => (value === null ? null : formatDecimal(value))

/** One constraint's violation is the caller's to fix; anything else is a failure of ours. */
const orDuplicate = <A, E>(constraint: string, duplicate: () => E) => (effect: Effect.Effect<A, Failure>) =>
  Effect.catchAll(effect, (error): Effect.Effect<never, E | PersistenceError> =>
    isUniqueViolation(error, constraint) ? Effect.fail(duplicate()) : orPersistenceError(Effect.fail(error)))

const decodeAll = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
  Schema.decodeUnknown(Schema.Array(schema))(rows)

const decodeFirst = <A, I>(schema: Schema.Schema<A, I>) => (rows: ReadonlyArray<unknown>) =>
  Effect.map(decodeAll(schema)(rows.slice(0, 1)), (decoded) => Option.fromNullable(decoded[0]))

// Products and places ---------------------------------------------------------------------------

const Characteristics = Schema.Array(Characteristic)

export const ProductRepoLive = Layer.effect(
  ProductRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const select = sql`
      select p.id, p.name, p.type, p.characteristics, p.created_at, p.updated_at,
             coalesce((select json_agg(json_build_object('country', a.country, 'city', c.name, 'city_id', a.city_id)
                                       order by a.position)
                         from product_availability a left join cities c on c.id = a.city_id
                        where a.product_id = p.id), '[]'::json) as availability
        from products p`

    const findById = (id: string) => Effect.flatMap(sql`${select} where p.id = ${id}`, decodeFirst(Product))

    /** The product's own row and its availability, replaced; then read back as stored. */
    const write = (product: Product, mode: "insert" | "update") =>
      Effect.gen(function* () {
        const characteristics = JSON.stringify(yield* Schema.encode(Characteristics)(product.characteristics))
        if (mode === "insert") {
          yield* sql`
            insert into products (id, name, type, characteristics, created_at, updated_at)
            values (${product.id}, ${product.name}, ${product.type}, ${characteristics}::jsonb,
                    ${iso(product.created_at)}, ${iso(product.updated_at)})`
        } else {
          yield* sql`
            update products
               set name = ${product.name}, type = ${product.type}, characteristics = ${characteristics}::jsonb,
                   updated_at = ${iso(product.updated_at)}
             where id = ${product.id}`
          yield* sql`delete from product_availability where product_id = ${product.id}`
        }
        if (product.availability.length > 0) {
          yield* sql`insert into product_availability ${
            sql.insert(product.availability.map((entry, position) => ({
              product_id: product.id,
              position,
              country: entry.country,
              city_id: entry.city_id
            })))
          }`
        }
        return yield* Effect.flatten(findById(product.id))
      }).pipe(
        sql.withTransaction,
        orDuplicate("products_name_unique", () => DuplicateProduct.of(product.name))
      )

    const list = (page: PageRequest) =>
      Effect.flatMap(sql`${select} where true ${pageClause(sql, page, "p.id")}`, decodeAll(Product)).pipe(
        Effect.map((rows) => toPage(rows, page))
      )

    return ProductRepo.of({
      insert: (product) => write(product, "insert"),
      update: (product) => write(product, "update"),
      findById: (id) => orPersistenceError(findById(id)),
      findByName: (name) =>
        orPersistenceError(Effect.flatMap(sql`${select} where lower(p.name) = lower(${name})`, decodeFirst(Product))),
      list: (page) => orPersistenceError(list(page))
    })
  })
)

export const PlaceRepoLive = Layer.effect(
  PlaceRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    // A city counts where at least one product's availability names it.
    const offered = sql`exists (select 1 from product_availability a where a.city_id = c.id)`

    const ensureCity = (candidate: City) =>
      Effect.gen(function* () {
        // A concurrent insert of the same city makes this one wait, then do nothing; the select
        // (a new snapshot) then sees the winner's row.
        const inserted = yield* sql`
          insert into cities (id, country, name, created_at, updated_at)
          values (${candidate.id}, ${candidate.country}, ${candidate.name},
                  ${iso(candidate.created_at)}, ${iso(candidate.updated_at)})
          on conflict (country, lower(name)) do nothing
          returning *`
        const rows = inserted.length > 0
          ? inserted
          : yield* sql`select * from cities where country = ${candidate.country} and lower(name) = lower(${candidate.name})`
        return yield* Effect.flatten(decodeFirst(City)(rows))
      })

    return PlaceRepo.of({
      ensureCity: (candidate) => orPersistenceError(ensureCity(candidate)),
      offeredCountries: (after, limit) =>
        orPersistenceError(
          sql<{ readonly country: string }>`
            select distinct country from product_availability
             where ${after === undefined ? sql`true` : sql`country > ${after}`}
             order by country limit ${limit}`
        ).pipe(Effect.map((rows) => rows.map((row) => row.country))),
      isCountryOffered: (code) =>
        orPersistenceError(
          sql<{ readonly offered: boolean }>`
            select exists (select 1 from product_availability where country = ${code}) as offered`
        ).pipe(Effect.map((rows) => rows[0]?.offered === true)),
      offeredCities: (country, page) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select c.* from cities c where c.country = ${country} and ${offered} ${pageClause(sql, page, "c.id")}`,
            decodeAll(City)
          )
        ).pipe(Effect.map((rows) => toPage(rows, page))),
      findOfferedCity: (country, id) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select c.* from cities c where c.id = ${id} and c.country = ${country} and ${offered}`,
            decodeFirst(City)
          )
        ),
      findCityByName: (country, name) =>
        orPersistenceError(
          Effect.flatMap(
            sql`select * from cities where country = ${country} and lower(name) = lower(${name})`,
            decodeFirst(City)
          )
        )
    })
  })
)

// SKUs ------------------------------------------------------------------------------------------

export const SkuRepoLive = Layer.effect(
  SkuRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    // Thresholds are JSON numbers in the contract; float8 reads them as the numbers they were.
    const select = sql`
      select s.id, s.code, s.name, s.unit, s.currency, s.model, s.unit_price::text as unit_price, s.package_size,
             s.thresholds::float8[] as thresholds, s.tax_behavior, s.tax_category, s.place_of_supply,
             s.created_at, s.updated_at,
             coalesce((select json_agg(
                                jsonb_build_object('up_to', t.up_to, 'unit_price', t.unit_price::text)
                                || case when t.flat_fee is null then '{}'::jsonb
                                        else jsonb_build_object('flat_fee', t.flat_fee::text) end
                                order by t.position)
                         from sku_tiers t where t.sku_id = s.id), '[]'::json) as tiers
        from skus s`

    const findById = (id: string) => Effect.flatMap(sql`${select} where s.id = ${id}`, decodeFirst(Sku))

    const write = (sku: Sku, mode: "insert" | "update") =>
      Effect.gen(function* () {
        const fields = {
          code: sku.code,
          name: sku.name,
          unit: sku.unit,
          currency: sku.currency,
          model: sku.model,
          unit_price: decimal(sku.unit_price),
          package_size: sku.package_size
        }
        const thresholds = sku.thresholds.map(String)
        if (mode === "insert") {
          yield* sql`
            insert into skus (id, code, name, unit, currency, model, unit_price, package_size, thresholds,
                              tax_behavior, tax_category, place_of_supply, created_at, updated_at)
            values (${sku.id}, ${fields.code}, ${fields.name}, ${fields.unit}, ${fields.currency}, ${fields.model},
                    ${fields.unit_price}::numeric, ${fields.package_size}, ${thresholds}::numeric[],
                    ${sku.tax_behavior}, ${sku.tax_category}, ${sku.place_of_supply},
                    ${iso(sku.created_at)}, ${iso(sku.updated_at)})`
        } else {
          yield* sql`
            update skus
               set code = ${fields.code}, name = ${fields.name}, unit = ${fields.unit}, currency = ${fields.currency},
                   model = ${fields.model}, unit_price = ${fields.unit_price}::numeric,
                   package_size = ${fields.package_size}, thresholds = ${thresholds}::numeric[],
                   tax_behavior = ${sku.tax_behavior}, tax_category = ${sku.tax_category},
                   place_of_supply = ${sku.place_of_supply}, updated_at = ${iso(sku.updated_at)}
             where id = ${sku.id}`
          yield* sql`delete from sku_tiers where sku_id = ${sku.id}`
        }
        if (sku.tiers.length > 0) {
          yield* sql`insert into sku_tiers ${
            sql.insert(sku.tiers.map((tier, position) => ({
              sku_id: sku.id,
              position,
              up_to: decimal(tier.up_to),
              unit_price: decimal(tier.unit_price),
              flat_fee: tier.flat_fee === undefined ? null : decimal(tier.flat_fee)
            })))
          }`
        }
        return yield* Effect.flatten(findById(sku.id))
      }).pipe(
        sql.withTransaction,
        orDuplicate("skus_code_unique", () => DuplicateSku.of(sku.code))
      )

    return SkuRepo.of({
      insert: (sku) => write(sku, "insert"),
      update: (sku) => write(sku, "update"),
      findById: (id) => orPersistenceError(findById(id)),
      findByCode: (code) =>
        orPersistenceError(Effect.flatMap(sql`${select} where lower(s.code) = lower(${code})`, decodeFirst(Sku))),
      findByIds: (ids) =>
        ids.length === 0
          ? Effect.succeed([])
          : orPersistenceError(Effect.flatMap(sql`${select} where s.id = any(${ids}::text[])`, decodeAll(Sku))),
      list: (page) =>
        orPersistenceError(Effect.flatMap(sql`${select} where true ${pageClause(sql, page, "s.id")}`, decodeAll(Sku))).pipe(
          Effect.map((rows) => toPage(rows, page))
        )
    })
  })
)

// Plans -----------------------------------------------------------------------------------------

export const PlanRepoLive = Layer.effect(
  PlanRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const select = sql`
      select p.id, p.product_id, v.name, v.version, v.status,
             json_build_object('amount', v.price_amount::text, 'currency', v.price_currency) as price,
             v.billing_interval, v.commitment_months, v.addon_plan_ids, v.sku_ids, p.published_version,
             p.tax_behavior, p.tax_category, p.place_of_supply, v.created_at, v.updated_at
        from plan_versions v join plans p on p.id = v.plan_id`

    const latest = sql`v.version = p.latest_version`

    const findVersion = (id: string, version: number) =>
      Effect.flatMap(sql`${select} where p.id = ${id} and v.version = ${version}`, decodeFirst(Plan))

    const insertVersion = (plan: Plan) =>
      sql`
        insert into plan_versions (plan_id, version, name, status, price_amount, price_currency, billing_interval,
                                   commitment_months, addon_plan_ids, sku_ids, created_at, updated_at)
        values (${plan.id}, ${plan.version}, ${plan.name}, ${plan.status}, ${formatDecimal(plan.price.amount)}::numeric,
                ${plan.price.currency}, ${plan.billing_interval}, ${plan.commitment_months},
                ${plan.addon_plan_ids}::text[], ${plan.sku_ids}::text[], ${iso(plan.created_at)}, ${iso(plan.updated_at)})`

    const written = (plan: Plan) => (effect: Effect.Effect<unknown, Failure>) =>
      effect.pipe(
        Effect.zipRight(Effect.flatten(findVersion(plan.id, plan.version))),
        sql.withTransaction,
        orDuplicate("plans_name_unique", () => DuplicatePlan.of(plan.name))
      )

    return PlanRepo.of({
      insert: (plan) =>
        Effect.zipRight(
          sql`
            insert into plans (id, product_id, name, latest_version, published_version, tax_behavior, tax_category,
                               place_of_supply, created_at, updated_at)
            values (${plan.id}, ${plan.product_id}, ${plan.name}, ${plan.version}, ${plan.published_version},
                    ${plan.tax_behavior}, ${plan.tax_category}, ${plan.place_of_supply},
                    ${iso(plan.created_at)}, ${iso(plan.updated_at)})`,
          insertVersion(plan)
        ).pipe(written(plan)),
      addVersion: (plan) =>
        Effect.zipRight(
          sql`update plans set name = ${plan.name}, latest_version = ${plan.version}, tax_behavior = ${plan.tax_behavior},
                      tax_category = ${plan.tax_category}, place_of_supply = ${plan.place_of_supply},
                      updated_at = ${iso(plan.updated_at)}
               where id = ${plan.id}`,
          insertVersion(plan)
        ).pipe(written(plan)),
      publish: (id, version, at) =>
        Effect.gen(function* () {
          yield* sql`update plan_versions set status = 'retired', updated_at = ${iso(at)}
                      where plan_id = ${id} and status = 'published'`
          yield* sql`update plan_versions set status = 'published', updated_at = ${iso(at)}
                      where plan_id = ${id} and version = ${version}`
          yield* sql`update plans set published_version = ${version}, updated_at = ${iso(at)} where id = ${id}`
          return yield* Effect.flatten(findVersion(id, version))
        }).pipe(sql.withTransaction, orPersistenceError),
      lock: (id) =>
        orPersistenceError(sql`select id from plans where id = ${id} for update`).pipe(
          Effect.map((rows) => rows.length > 0)
        ),
      findLatest: (id) =>
        orPersistenceError(Effect.flatMap(sql`${select} where p.id = ${id} and ${latest}`, decodeFirst(Plan))),
      findVersion: (id, version) => orPersistenceError(findVersion(id, version)),
      findByName: (name) =>
        orPersistenceError(
          Effect.flatMap(sql`${select} where lower(p.name) = lower(${name}) and ${latest}`, decodeFirst(Plan))
        ),
      findLatestByIds: (ids) =>
        ids.length === 0
          ? Effect.succeed([])
          : orPersistenceError(
            Effect.flatMap(sql`${select} where p.id = any(${ids}::text[]) and ${latest}`, decodeAll(Plan))
          ),
      usesSku: (skuId) =>
        orPersistenceError(
          sql<{ readonly used: boolean }>`
            select exists (select 1 from plan_versions where sku_ids @> array[${skuId}]::text[]) as used`
        ).pipe(Effect.map((rows) => rows[0]?.used === true)),
      list: (filter, page) =>
        orPersistenceError(
          Effect.flatMap(
            sql`${select} where ${latest}
                ${filter.product_id === undefined ? sql`` : sql`and p.product_id = ${filter.product_id}`}
                ${pageClause(sql, page, "p.id")}`,
            decodeAll(Plan)
          )
        ).pipe(Effect.map((rows) => toPage(rows, page)))
    })
  })
)
