import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { PhoneNumber, StoredReservation } from "@provisio/core/numbers/model"
import { NumberRepo, ReservationRepo } from "@provisio/core/numbers/ports"
import { type PageRequest, toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

const NumberRow = Schema.Struct({ number: Schema.String })
const numbersOf = (rows: ReadonlyArray<{ readonly number: string }>) => rows.map((row) => row.number)

/**
 * What "available" means to every query here: in stock, or held by a reservation that ended
 * before `now` (the caller's clock, not the database's). The first conjunct is the partial
 * indexes' predicate, written as they are so the planner matches them.
 */
const availableAt = (sql: SqlClient.SqlClient, now: DateTime.Utc) =>
  sql`state in ('available', 'reserved') and (state = 'available' or reserved_until < ${iso(now)})`

export const NumberRepoLive = Layer.effect(
  NumberRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    // One statement per call whatever the count: the numbers travel as one text[] parameter.
    const insert = SqlSchema.findAll({
      Request: Schema.Struct({
        product_id: Schema.String,
        country: Schema.String,
        city_id: Schema.NullOr(Schema.String),
        numbers: Schema.Array(Schema.String),
        at: Schema.String
      }),
      Result: NumberRow,
      execute: (r) =>
        sql`
          insert into numbers (number, product_id, country, city_id, state, created_at, updated_at)
          select n, ${r.product_id}, ${r.country}, ${r.city_id}, 'available', ${r.at}::timestamptz, ${r.at}::timestamptz
            from unnest(${r.numbers}::text[]) as n
          on conflict (number) do nothing
          returning number`
    })

    // The planner needs fresh statistics to pick the search indexes well, and a bulk load makes
    // them stale at once. A server's autovacuum catches up in time; PGlite has no autovacuum at
    // all. So every 20% growth (and at least every 20,000 numbers) this process adds, it analyzes
    // the table itself: well under a second for a million numbers.
    let addedSinceAnalyze = 0
    let analyzedRows = 0
    const keepStatistics = (added: number) => {
      addedSinceAnalyze += added
      if (addedSinceAnalyze < Math.max(20_000, analyzedRows * 0.2)) return Effect.void
      addedSinceAnalyze = 0
      return sql`analyze numbers`.pipe(
        Effect.zipRight(sql<{ readonly rows: number }>`
          select reltuples::float8 as rows from pg_class where oid = 'numbers'::regclass`),
        Effect.map((rows) => {
          analyzedRows = Math.max(0, rows[0]?.rows ?? 0)
        })
      )
    }

    return NumberRepo.of({
      insert: (placement, numbers, at) =>
        numbers.length === 0
          ? Effect.succeed([])
          : orPersistenceError(
            insert({ ...placement, numbers, at: iso(at) }).pipe(
              Effect.tap((rows) => keepStatistics(rows.length))
            )
          ).pipe(Effect.map(numbersOf)),

      // Every criterion narrows one of the partial indexes of migration 0007, which return
      // numbers in order: product, country and city (numbers_search_city), product and country
      // (numbers_search_product), country (numbers_search_country), a prefix (the primary key,
      // collation "C"); digits anywhere use trigrams (numbers_search_digits) when that is cheaper.
      searchAvailable: (filter, now, after, limit) =>
        orPersistenceError(
          Effect.flatMap(
            sql`
              select number, product_id, country, city_id, 'available' as status, created_at, updated_at
                from numbers
               where ${availableAt(sql, now)}
                 ${filter.product_id === undefined ? sql`` : sql`and product_id = ${filter.product_id}`}
                 ${filter.country === undefined ? sql`` : sql`and country = ${filter.country}`}
                 ${filter.city_id === undefined ? sql`` : sql`and city_id = ${filter.city_id}`}
                 ${filter.contains === undefined ? sql`` : sql`and number like ${`%${filter.contains}%`}`}
                 ${filter.starts_with === undefined ? sql`` : sql`and number like ${`${filter.starts_with}%`}`}
                 ${after === undefined ? sql`` : sql`and number > ${after}`}
               order by number
               limit ${limit}`,
            Schema.decodeUnknown(Schema.Array(PhoneNumber))
          )
        ),

      // The claim is this one statement. It locks the available rows in number order (so two
      // claims of overlapping lists cannot deadlock) and takes them. On PostgreSQL a concurrent
      // claim of a row waits for ours to commit, then re-checks the condition against the row we
      // wrote, finds it reserved and skips it. PGlite serves one session: claims run one after
      // the other and the second sees the first's rows.
      claim: (numbers, hold, now) =>
        orPersistenceError(
          sql<{ readonly number: string }>`
            update numbers n
               set state = 'reserved', reservation_id = ${hold.reservation_id},
                   reserved_until = ${iso(hold.until)}, updated_at = ${iso(now)}
              from (select number from numbers
                     where number = any(${numbers}::text[]) and ${availableAt(sql, now)}
                     order by number
                       for update) held
             where n.number = held.number
            returning n.number`
        ).pipe(Effect.map(numbersOf)),

      existing: (numbers) =>
        orPersistenceError(
          sql<{ readonly number: string }>`select number from numbers where number = any(${numbers}::text[])`
        ).pipe(Effect.map(numbersOf)),

      release: (reservationId, at) =>
        orPersistenceError(
          sql`
            update numbers
               set state = 'available', reservation_id = null, reserved_until = null, updated_at = ${iso(at)}
             where reservation_id = ${reservationId} and state = 'reserved'`
        ).pipe(Effect.asVoid)
    })
  })
)

export const ReservationRepoLive = Layer.effect(
  ReservationRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const insert = SqlSchema.single({
      Request: StoredReservation,
      Result: StoredReservation,
      execute: (r) =>
        sql`
          insert into reservations (id, customer_id, numbers, expires_at, released_at, created_at, updated_at)
          values (${r.id}, ${r.customer_id}, ${r.numbers}::text[], ${r.expires_at}, ${r.released_at},
                  ${r.created_at}, ${r.updated_at})
          returning *`
    })
    const findById = SqlSchema.findOne({
      Request: Schema.Struct({ customer_id: Schema.String, id: Schema.String }),
      Result: StoredReservation,
      execute: ({ customer_id, id }) => sql`select * from reservations where id = ${id} and customer_id = ${customer_id}`
    })
    const list = (customerId: string, page: PageRequest) =>
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: StoredReservation,
        execute: () => sql`select * from reservations where customer_id = ${customerId} ${pageClause(sql, page)}`
      })(undefined).pipe(Effect.map((rows) => toPage(rows, page)))
    const markReleased = SqlSchema.single({
      Request: Schema.Struct({ id: Schema.String, at: Schema.String }),
      Result: StoredReservation,
      execute: ({ at, id }) =>
        sql`update reservations set released_at = ${at}, updated_at = ${at} where id = ${id} returning *`
    })

    return ReservationRepo.of({
      insert: (reservation) => orPersistenceError(insert(reservation)),
      findById: (customerId, id) => orPersistenceError(findById({ customer_id: customerId, id })),
      list: (customerId, page) => orPersistenceError(list(customerId, page)),
      markReleased: (id, at) => orPersistenceError(markReleased({ id, at: iso(at) }))
    })
  })
)
