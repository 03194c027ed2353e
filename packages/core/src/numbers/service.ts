import { Context, DateTime, Effect, Layer, Option } from "effect"
import { isCountryCode } from "../catalog/countries.js"
import type { Product } from "../catalog/model.js"
import { PlaceRepo, ProductRepo } from "../catalog/ports.js"
import { CustomerRepo } from "../customers/ports.js"
import type { Principal } from "../identity/model.js"
import { reachableBy, requireAdmin, requireKind, requireWrite } from "../identity/policy.js"
import { orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { encodeCursor, type Page, type PageRequest } from "../shared/pagination.js"
import { Transactor } from "../shared/transactor.js"
import { ReservationTtlMinutes } from "./config.js"
import { NumberUnavailable } from "./errors.js"
import {
  AddedNumbers,
  type AddNumbers,
  type CreateReservation,
  E164_MESSAGE,
  expandRange,
  isE164,
  MAX_NUMBERS_PER_CALL,
  type NumberQuery,
  type PhoneNumber,
  Reservation,
  type ReservationId,
  type StoredReservation
} from "./model.js"
import { type NumberFilter, NumberRepo, type Placement, ReservationRepo } from "./ports.js"
import { now } from "../shared/time.js"

/** Adding numbers to the inventory is for the platform's admins. */
export const requireNumberAdmin = (principal: Principal) =>
  Effect.zipRight(requireKind(principal, ["platform"], "add numbers to the inventory"), requireAdmin(principal))

/** A number cursor: the last number seen, digits only (ids elsewhere; numbers are their own key). */
const NUMBER_CURSOR = /^num_(\d{8,15})$/
const DIGITS = /^\d{1,15}$/
const PREFIX = /^\+?\d{1,15}$/

/** A reservation's status at `now`: `expired` once `expires_at` is behind us (the numbers are free then). */
export const reservationStatus = (stored: StoredReservation, now: DateTime.Utc): Reservation["status"] =>
  stored.released_at !== null ? "released" : DateTime.lessThan(stored.expires_at, now) ? "expired" : "active"

const toReservation = (stored: StoredReservation, now: DateTime.Utc) =>
  new Reservation({ ...stored, status: reservationStatus(stored, now) })

// Import -----------------------------------------------------------------------------------------

/** One number of an import file, with the line it came from. */
export interface NumberRow {
  readonly line: number
  readonly number: string
  readonly product_id: string
  readonly country: string
  readonly city: string | null
}

export interface RowOutcome {
  readonly line: number
  readonly number: string
}

export interface RejectedRow extends RowOutcome {
  readonly field: string
  readonly reason: string
}

/** What one batch of an import did. */
export interface ImportBatch {
  readonly added: number
  readonly already_present: ReadonlyArray<RowOutcome>
  readonly rejected: ReadonlyArray<RejectedRow>
}

type Resolved = { readonly placement: Placement } | { readonly field: string; readonly reason: string }

export const make = Effect.gen(function* () {
  const products = yield* ProductRepo
  const places = yield* PlaceRepo
  const customers = yield* CustomerRepo
  const numbers = yield* NumberRepo
  const reservations = yield* ReservationRepo
  const transactor = yield* Transactor
  const defaultTtl = yield* ReservationTtlMinutes

  // Placement: product, country and city -------------------------------------------------------

  /**
   * Where numbers of `productId` may go: a `phone_number` product, a country of its
   * availability, and a city it names in that country (by id or name, whatever its case).
   */
  const placementOf = (product: Product, country: string, city: string | null | undefined): Resolved => {
    if (product.type !== "phone_number") {
      return {
        field: "product_id",
        reason: `product ${product.id} is a ${product.type} product; numbers belong to phone_number products`
      }
    }
    const entries = product.availability.filter((entry) => entry.country === country)
    if (entries.length === 0) {
      const countries = [...new Set(product.availability.map((entry) => entry.country))]
      return {
        field: "country",
        reason: `product ${product.id} is not offered in ${country}` +
          (countries.length > 0 ? `; it is offered in ${countries.join(", ")}` : "; it is offered nowhere yet")
      }
    }
    const wanted = city?.trim() ?? ""
    if (wanted === "") return { placement: { product_id: product.id, country, city_id: null } }
    const match = entries.find((entry) =>
      entry.city_id === wanted || (entry.city !== null && entry.city.toLowerCase() === wanted.toLowerCase())
    )
    if (match === undefined || match.city_id === null) {
      const cities = entries.flatMap((entry) => (entry.city === null ? [] : [entry.city]))
      return {
        field: "city",
        reason: `product ${product.id} is not offered in the city "${wanted}" of ${country}` +
          (cities.length > 0 ? `; its cities there: ${cities.join(", ")}` : "; it names no city there")
      }
    }
    return { placement: { product_id: product.id, country, city_id: match.city_id } }
  }

  const resolvePlacement = (productId: string, country: string, city: string | null | undefined) =>
    Effect.map(products.findById(productId), (product): Resolved =>
      Option.isNone(product)
        ? { field: "product_id", reason: `product ${productId} does not exist` }
        : placementOf(product.value, country, city))

  /**
   * The distinct numbers (first occurrence kept) and the repeats: a repeat is reported as already
   * present, since its first occurrence is.
   */
  const distinct = <A>(items: ReadonlyArray<A>, key: (item: A) => string) => {
    const seen = new Set<string>()
    const first: Array<A> = []
    const repeats: Array<A> = []
    for (const item of items) {
      const k = key(item)
      if (seen.has(k)) repeats.push(item)
      else {
        seen.add(k)
        first.push(item)
      }
    }
    return { first, repeats }
  }

  // Adding numbers ------------------------------------------------------------------------------

  /**
   * `POST /numbers`: a list or a range of numbers at one placement, added in one statement.
   * Numbers already in the inventory (or listed twice) are reported, not added again.
   */
  const addNumbers = Effect.fn("Numbers.addNumbers")(function* (principal: Principal, input: AddNumbers) {
    yield* requireNumberAdmin(principal)
    let list: ReadonlyArray<string>
    if (input.numbers !== undefined && input.range !== undefined) {
      return yield* ValidationError.of("range", "send either numbers or range, not both")
    } else if (input.range !== undefined) {
      const expanded = expandRange(input.range.from, input.range.to, MAX_NUMBERS_PER_CALL)
      if ("field" in expanded) return yield* ValidationError.of(expanded.field, expanded.message)
      list = expanded.numbers
    } else if (input.numbers !== undefined && input.numbers.length > 0) {
      list = input.numbers
    } else {
      return yield* ValidationError.of("numbers", "send the numbers to add (or a range: {from, to})")
    }
    const resolved = yield* resolvePlacement(input.product_id, input.country, input.city)
    if ("field" in resolved) return yield* ValidationError.of(resolved.field, resolved.reason)
    const { first, repeats } = distinct(list, (n) => n)
    const added = new Set(yield* numbers.insert(resolved.placement, first, yield* now))
    return new AddedNumbers({
      added: added.size,
      already_present: [...first.filter((n) => !added.has(n)), ...repeats]
    })
  })

  /**
   * An importer of number files (`provisio numbers import`): each call adds one batch of rows,
   * one statement per placement in it, and says what became of every row. Placements are looked
   * up once per import. Rows are checked one by one: a bad row is rejected with its reason, the
   * others go in.
   */
  const numberImporter = (principal: Principal) =>
    Effect.gen(function* () {
      yield* requireNumberAdmin(principal)
      const resolved = new Map<string, Resolved>()
      return (rows: ReadonlyArray<NumberRow>) =>
        Effect.gen(function* () {
          const rejected: Array<RejectedRow> = []
          const already: Array<RowOutcome> = []
          const groups = new Map<string, { placement: Placement; rows: Array<NumberRow> }>()
          for (const row of rows) {
            const reject = (field: string, reason: string) =>
              rejected.push({ line: row.line, number: row.number, field, reason })
            if (!isE164(row.number)) {
              reject("number", E164_MESSAGE)
              continue
            }
            if (row.product_id === "") {
              reject("product_id", "is missing: give the row a product_id or the import a --product")
              continue
            }
            const country = row.country.trim().toUpperCase()
            if (!isCountryCode(country)) {
              reject("country", "must be an ISO 3166-1 alpha-2 country code, e.g. \"DE\"")
              continue
            }
            const key = `${row.product_id}\u0000${country}\u0000${(row.city ?? "").trim().toLowerCase()}`
            let place = resolved.get(key)
            if (place === undefined) {
              place = yield* resolvePlacement(row.product_id, country, row.city)
              resolved.set(key, place)
            }
            if ("field" in place) {
              reject(place.field, place.reason)
              continue
            }
            const group = groups.get(key) ?? { placement: place.placement, rows: [] }
            group.rows.push(row)
            groups.set(key, group)
          }
          let added = 0
          if (groups.size > 0) {
            const at = yield* now
            yield* transactor.withTransaction(Effect.forEach(groups.values(), (group) =>
              Effect.gen(function* () {
                const { first, repeats } = distinct(group.rows, (row) => row.number)
                const inserted = new Set(yield* numbers.insert(group.placement, first.map((row) => row.number), at))
                added += inserted.size
                for (const row of first) if (!inserted.has(row.number)) already.push({ line: row.line, number: row.number })
                for (const row of repeats) already.push({ line: row.line, number: row.number })
              }), { discard: true }))
          }
          already.sort((a, b) => a.line - b.line)
          return { added, already_present: already, rejected } satisfies ImportBatch
        })
    })

  // Search --------------------------------------------------------------------------------------

  /**
   * Available numbers, in number order: a number held by a reservation that has expired is
   * available again, with nothing run to free it. Every criterion is optional.
   */
  const searchNumbers = Effect.fn("Numbers.searchNumbers")(function* (
    _principal: Principal,
    query: NumberQuery,
    page: PageRequest
  ) {
    const empty: Page<PhoneNumber> = { items: [], limit: page.limit, next_cursor: null }
    let country: string | undefined
    if (query.country !== undefined && query.country !== "") {
      country = query.country.toUpperCase()
      if (!isCountryCode(country)) {
        return yield* ValidationError.of("country", "must be an ISO 3166-1 alpha-2 country code, e.g. \"DE\"")
      }
    }
    let cityId: string | undefined
    if (query.city !== undefined && query.city !== "") {
      if (query.city.startsWith("cty_")) cityId = query.city
      else if (country === undefined) {
        return yield* ValidationError.of("city", "a city name needs country= as well; or pass the city's id (cty_...)")
      } else {
        const city = yield* places.findCityByName(country, query.city.trim())
        if (Option.isNone(city)) return empty
        cityId = city.value.id
      }
    }
    if (query.contains !== undefined && !DIGITS.test(query.contains)) {
      return yield* ValidationError.of("contains", "must be 1 to 15 digits, found anywhere in the number")
    }
    if (query.starts_with !== undefined && !PREFIX.test(query.starts_with)) {
      return yield* ValidationError.of("starts_with", "must be \"+\" and 1 to 15 digits: the number's beginning")
    }
    let after: string | undefined
    if (page.after !== undefined) {
      const match = NUMBER_CURSOR.exec(page.after)
      if (match === null) return yield* ValidationError.of("cursor", "is not a cursor this API returned")
      after = `+${match[1]}`
    }
    const filter: NumberFilter = {
      product_id: query.product_id === "" ? undefined : query.product_id,
      country,
      city_id: cityId,
      contains: query.contains === "" ? undefined : query.contains,
      starts_with: query.starts_with === undefined || query.starts_with === ""
        ? undefined
        : `+${query.starts_with.replace(/^\+/, "")}`
    }
    const rows = yield* numbers.searchAvailable(filter, yield* now, after, page.limit + 1)
    const items = rows.slice(0, page.limit)
    const last = items[items.length - 1]
    return {
      items,
      limit: page.limit,
      next_cursor: rows.length > page.limit && last !== undefined ? encodeCursor(`num_${last.number.slice(1)}`) : null
    } satisfies Page<PhoneNumber>
  })

  // Reservations --------------------------------------------------------------------------------

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

  return {
    addNumbers,
    numberImporter,
    searchNumbers,
    createReservation,
    listReservations,
    getReservation,
    deleteReservation
  } as const
})

export class Numbers extends Context.Tag("@provisio/core/Numbers")<Numbers, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Numbers, make)
}
