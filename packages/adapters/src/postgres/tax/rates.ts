import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { toPage } from "@provisio/core/shared/pagination"
import { TaxRate } from "@provisio/core/tax/model"
import { TaxRateRepo } from "@provisio/core/tax/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "../pagination.js"
import { orPersistenceError } from "../persistence.js"

// Dates and the rate as text: the driver would make a `date` a local-time Date.
const COLUMNS = `id, country, region, category, rate::text as rate, valid_from::text as valid_from,
  valid_to::text as valid_to, created_at, updated_at`

const decodeRates = Schema.decodeUnknown(Schema.Array(TaxRate))

export const TaxRateRepoLive = Layer.effect(
  TaxRateRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const select = (where: Statement.Fragment) =>
      Effect.flatMap(sql`select ${sql.unsafe(COLUMNS)} from tax_rates ${where}`, decodeRates)
    return TaxRateRepo.of({
      list: (filter, page) =>
        orPersistenceError(select(sql`where true
          ${filter.country === undefined ? sql`` : sql`and country = ${filter.country}`}
          ${filter.category === undefined ? sql`` : sql`and category = ${filter.category}`}
          ${pageClause(sql, page)}`).pipe(Effect.map((rows) => toPage(rows, page)))),
      findById: (id) => orPersistenceError(select(sql`where id = ${id}`).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))),
      lockSiblings: (country, region, category) =>
        orPersistenceError(select(sql`
          where country = ${country} and region is not distinct from ${region} and category = ${category}
          order by id for update`)),
      save: (r) =>
        orPersistenceError(Effect.as(sql`
          insert into tax_rates (id, country, region, category, rate, valid_from, valid_to, created_at, updated_at)
          values (${r.id}, ${r.country}, ${r.region}, ${r.category}, ${r.rate}::numeric, ${r.valid_from}::date,
                  ${r.valid_to}::date, ${DateTime.formatIso(r.created_at)}, ${DateTime.formatIso(r.updated_at)})
          on conflict (id) do update set country = excluded.country, region = excluded.region,
            category = excluded.category, rate = excluded.rate, valid_from = excluded.valid_from,
            valid_to = excluded.valid_to, updated_at = excluded.updated_at`, r)),
      remove: (id) =>
        orPersistenceError(Effect.map(sql`delete from tax_rates where id = ${id} returning id`, (rows) => rows.length > 0))
    })
  })
)
