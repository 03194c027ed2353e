import * as SqlClient from "@effect/sql/SqlClient"
import { NumberOrderRepo } from "@provisio/core/number-orders/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { orPersistenceError } from "./persistence.js"

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

interface HeldRow {
  readonly number: string
  readonly product_id: string
  readonly state: string
  readonly customer_id: string | null
  readonly reservation_id: string | null
  readonly held: boolean
}

/** Number orders' writes on `numbers`; every statement runs on the caller's (transaction's) connection. */
export const NumberOrderRepoLive = Layer.effect(
  NumberOrderRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    return NumberOrderRepo.of({
      pickAvailable: (c, now) =>
        orPersistenceError(
          sql<{ number: string }>`
            select number from numbers
             where product_id = ${c.product_id} and country = ${c.country}
               ${c.city_id === undefined ? sql`` : sql`and city_id = ${c.city_id}`}
               ${c.contains === undefined ? sql`` : sql`and strpos(number, ${c.contains}) > 0`}
               and (state = 'available' or (state = 'reserved' and reserved_until <= ${iso(now)}))
             order by number
             limit ${c.limit}
             for update skip locked`
        ).pipe(Effect.map((rows) => rows.map((r) => r.number))),
      lock: (numbers, now) =>
        numbers.length === 0
          ? Effect.succeed([])
          : orPersistenceError(
            sql<HeldRow>`
              select number, product_id, state, customer_id, reservation_id,
                     (state = 'reserved' and reserved_until > ${iso(now)}) as held
                from numbers where number in ${sql.in(numbers)}
               order by number
               for update`
          ).pipe(Effect.map((rows) => rows.map((r) => ({ ...r, held: r.held === true || (r.held as unknown) === "t" })))),
      lockOwned: (customerId, productId) =>
        orPersistenceError(
          sql<{ number: string }>`
            select number from numbers
             where customer_id = ${customerId} and product_id = ${productId} and state in ('assigned', 'porting')
             order by number
             for update`
        ).pipe(Effect.map((rows) => rows.map((r) => r.number))),
      assign: (numbers, customerId, at) =>
        orPersistenceError(sql`
          update numbers
             set state = 'assigned', customer_id = ${customerId}, reservation_id = null, reserved_until = null,
                 updated_at = ${iso(at)}
           where number in ${sql.in(numbers)}`).pipe(Effect.asVoid),
      insertPorting: (numbers, placement, at) =>
        orPersistenceError(sql`insert into numbers ${
          sql.insert(numbers.map((number) => ({
            number,
            product_id: placement.product_id,
            country: placement.country,
            city_id: null,
            state: "porting",
            customer_id: placement.customer_id,
            carrier: placement.carrier,
            created_at: iso(at),
            updated_at: iso(at)
          })))
        }`).pipe(Effect.asVoid),
      move: (numbers, locationId, at) =>
        orPersistenceError(sql`
          update numbers set location_id = ${locationId}, updated_at = ${iso(at)}
           where number in ${sql.in(numbers)}`).pipe(Effect.asVoid),
      change: (numbers, characteristics, at) =>
        orPersistenceError(sql`
          update numbers set characteristics = ${JSON.stringify(characteristics)}::jsonb, updated_at = ${iso(at)}
           where number in ${sql.in(numbers)}`).pipe(Effect.asVoid),
      completePort: (number, at) =>
        orPersistenceError(sql`
          update numbers set state = 'assigned', updated_at = ${iso(at)}
           where number = ${number} and state = 'porting'`).pipe(Effect.asVoid),
      removePorting: (number) =>
        orPersistenceError(sql`delete from numbers where number = ${number} and state = 'porting'`).pipe(Effect.asVoid),
      quarantine: (numbers, at) =>
        orPersistenceError(sql`
          update numbers
             set state = 'quarantined', customer_id = null, location_id = null, characteristics = '{}',
                 reservation_id = null, reserved_until = null, updated_at = ${iso(at)}
           where number in ${sql.in(numbers)}`).pipe(Effect.asVoid)
    })
  })
)
