import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireWrite } from "../identity/policy.js"
import { orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type Page, type PageRequest } from "../shared/pagination.js"
import { NumberUnavailable } from "./errors.js"
import { type CreateReservation, Reservation, type ReservationId, type StoredReservation } from "./model.js"
import { now } from "../shared/time.js"
import type { NumbersContext } from "./context.js"
import { toReservation } from "./rules.js"

/** Reservations: numbers held for a customer for a while, listed, read and released. */
export const makeReservations = ({ customers, numbers, reservations, transactor, defaultTtl }: NumbersContext) => {
  /** A customer the caller may see; one out of scope is indistinguishable from a missing one. */
  const findCustomer = (principal: Principal, id: string) =>
    customers.findById(id).pipe(
      reachableBy(principal, "customer", id), Effect.map((stored) => stored.customer)
    )

  const findReservation = (principal: Principal, customerId: string, id: string) =>
    findCustomer(principal, customerId).pipe(
      Effect.flatMap((customer) => reservations.findById(customer.id, id)),
      orNotFound("reservation", id)
    )

  /**
   * Holds the numbers for the customer until `expires_at`: all of them, or none (409
   * number_unavailable naming those another customer holds or that are not available). The
   * claim is one statement, so of two customers racing for a number exactly one gets it.
   * Reservations are not orders: every edition may make them.
   */
  const createReservation = Effect.fn("Numbers.createReservation")(function* (
    principal: Principal,
    customerId: string,
    input: CreateReservation
  ) {
    const customer = yield* findCustomer(principal, customerId)
    yield* requireWrite(principal)
    const repeated = input.numbers.findIndex((n, i) => input.numbers.indexOf(n) < i)
    if (repeated >= 0) {
      return yield* ValidationError.of(`numbers[${repeated}]`, `repeats an earlier number (${input.numbers[repeated]})`)
    }
    const at = yield* now
    const stored: StoredReservation = {
      id: (yield* makeId("res")) as ReservationId,
      customer_id: customer.id,
      numbers: input.numbers,
      expires_at: DateTime.add(at, { minutes: input.ttl_minutes ?? defaultTtl }),
      released_at: null,
      created_at: at,
      updated_at: at
    }
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const reservation = yield* reservations.insert(stored)
      const claimed = new Set(yield* numbers.claim(input.numbers, { reservation_id: stored.id, until: stored.expires_at }, at))
      if (claimed.size < input.numbers.length) {
        // Failing rolls the transaction back: the reservation and whatever was claimed go.
        const missing = input.numbers.filter((n) => !claimed.has(n))
        const known = new Set(yield* numbers.existing(missing))
        const unknown = input.numbers.findIndex((n) => !claimed.has(n) && !known.has(n))
        if (unknown >= 0) {
          return yield* ValidationError.of(`numbers[${unknown}]`, `${input.numbers[unknown]} is not in the number inventory`)
        }
        return yield* NumberUnavailable.of(missing)
      }
      return toReservation(reservation, at)
    }))
  })

  const listReservations = Effect.fn("Numbers.listReservations")(function* (
    principal: Principal,
    customerId: string,
    page: PageRequest
  ) {
    const customer = yield* findCustomer(principal, customerId)
    const stored = yield* reservations.list(customer.id, page)
    const at = yield* now
    return { ...stored, items: stored.items.map((item) => toReservation(item, at)) } satisfies Page<Reservation>
  })

  const getReservation = Effect.fn("Numbers.getReservation")(function* (
    principal: Principal,
    customerId: string,
    id: string
  ) {
    return toReservation(yield* findReservation(principal, customerId, id), yield* now)
  })

  /**
   * Releases the reservation: the numbers it still holds are available again at once. Releasing
   * one already released changes nothing.
   */
  const deleteReservation = Effect.fn("Numbers.deleteReservation")(function* (
    principal: Principal,
    customerId: string,
    id: string
  ) {
    const stored = yield* findReservation(principal, customerId, id)
    yield* requireWrite(principal)
    if (stored.released_at !== null) return
    const at = yield* now
    yield* transactor.withTransaction(
      Effect.zipRight(numbers.release(stored.id, at), reservations.markReleased(stored.id, at))
    )
  })

  return { createReservation, listReservations, getReservation, deleteReservation }
}
