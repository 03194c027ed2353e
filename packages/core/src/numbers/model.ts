import * as Schema from "effect/Schema"
import { CityId, CountryCode, ProductId } from "../catalog/model.js"
import { CustomerId } from "../customers/model.js"
import { prefixedId } from "../shared/ids.js"
import { Timestamp } from "../shared/time.js"

/**
 * The number inventory: phone numbers of `phone_number` products, each in a country (and
 * optionally a city) where its product is offered, and the reservations that hold numbers for a
 * customer for a while. A number's own key is the number itself (E.164).
 */

export const ReservationId = prefixedId("res", "ReservationId")
export type ReservationId = typeof ReservationId.Type

/**
 * `available`: in stock; `reserved`: held by a reservation until `reserved_until` (and available
 * again after it, with nothing run to free it); `assigned`: in service with a customer;
 * `porting`: being ported in or out; `quarantined`: recently released, resting before reuse.
 */
export const NumberState = Schema.Literal("available", "reserved", "assigned", "porting", "quarantined")
export type NumberState = typeof NumberState.Type

/** Computed when read: `expired` once `expires_at` has passed, `released` after a DELETE. */
export const ReservationStatus = Schema.Literal("active", "expired", "released")
export type ReservationStatus = typeof ReservationStatus.Type

/** The most numbers one `POST /numbers` adds (a list or a range). */
export const MAX_NUMBERS_PER_CALL = 10_000

/** The most numbers one reservation holds. */
export const MAX_NUMBERS_PER_RESERVATION = 100

/** How long a reservation may last, in minutes (a day). */
export const MAX_RESERVATION_MINUTES = 1_440

// E.164 ----------------------------------------------------------------------------------------

const E164_PATTERN = /^\+[1-9]\d{7,14}$/

/** "+", then 8 to 15 digits, the first one 1-9 (ITU-T E.164: at most 15 digits with the country code). */
export const isE164 = (text: string): boolean => E164_PATTERN.test(text)

export const E164_MESSAGE =
  "must be an E.164 number: \"+\" then 8 to 15 digits, the first one 1-9, no spaces (e.g. \"+493012345678\")"

export const E164 = Schema.String.pipe(Schema.filter(isE164, { message: () => E164_MESSAGE })).annotations({
  identifier: "E164",
  jsonSchema: { type: "string", pattern: E164_PATTERN.source, examples: ["+493012345678"] }
})

/**
 * The numbers from `from` to `to`, both included, or why there are none: the ends must have the
 * same number of digits, be in order and span at most `max` numbers.
 */
export const expandRange = (
  from: string,
  to: string,
  max: number
): { readonly numbers: ReadonlyArray<string> } | { readonly field: string; readonly message: string } => {
  if (from.length !== to.length) {
    return { field: "range.to", message: "must have as many digits as range.from: a range is a block of one numbering plan" }
  }
  // 15 digits stay below 2^53: plain numbers are exact here.
  const first = Number(from.slice(1))
  const last = Number(to.slice(1))
  if (last < first) return { field: "range.to", message: "must not be below range.from" }
  if (last - first + 1 > max) {
    return { field: "range", message: `spans ${last - first + 1} numbers; at most ${max} may be added at a time` }
  }
  const numbers: Array<string> = []
  for (let n = first; n <= last; n++) numbers.push(`+${n}`)
  return { numbers }
}

// Numbers --------------------------------------------------------------------------------------

/** A number of the inventory as callers see it (who holds a reserved one is not shown). */
export class PhoneNumber extends Schema.Class<PhoneNumber>("PhoneNumber")({
  number: Schema.String,
  product_id: ProductId,
  country: Schema.String,
  city_id: Schema.NullOr(CityId),
  status: NumberState,
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export const NumberRange = Schema.Struct({ from: E164, to: E164 })

/** `POST /numbers`: a list of numbers or a range, all of one product, country and (optional) city. */
export class AddNumbers extends Schema.Class<AddNumbers>("AddNumbers")({
  product_id: ProductId,
  country: CountryCode,
  /** A city of the country where the product is offered: its id (`cty_...`) or its name. */
  city: Schema.optional(Schema.NullOr(Schema.String)),
  numbers: Schema.optional(
    Schema.Array(E164).pipe(Schema.maxItems(MAX_NUMBERS_PER_CALL, {
      message: () => `must list at most ${MAX_NUMBERS_PER_CALL} numbers; send more in further calls`
    }))
  ),
  /** Every number from `from` to `to`, both included (at most 10,000). */
  range: Schema.optional(NumberRange)
}) {}

/**
 * What an addition did: `added` numbers are new in the inventory; those `already_present` (or
 * listed twice) were left as they were. `added + already_present.length` is the count sent.
 */
export class AddedNumbers extends Schema.Class<AddedNumbers>("AddedNumbers")({
  added: Schema.Int,
  already_present: Schema.Array(Schema.String)
}) {}

/** What a number search asks for: every criterion optional, all of them must match. */
export interface NumberQuery {
  readonly product_id?: string | undefined
  readonly country?: string | undefined
  /** A city id (`cty_...`), or a city name in `country`. */
  readonly city?: string | undefined
  /** Digits found anywhere in the number. */
  readonly contains?: string | undefined
  /** The number's beginning, "+" and digits (the "+" may be left out). */
  readonly starts_with?: string | undefined
}

// Reservations ---------------------------------------------------------------------------------

export class Reservation extends Schema.Class<Reservation>("Reservation")({
  id: ReservationId,
  customer_id: CustomerId,
  numbers: Schema.Array(Schema.String),
  expires_at: Timestamp,
  status: ReservationStatus,
  /** When it was released (DELETE); null otherwise. */
  released_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

/** A reservation as stored: its status is computed from the clock when read. */
export const StoredReservation = Schema.Struct({
  id: ReservationId,
  customer_id: CustomerId,
  numbers: Schema.Array(Schema.String),
  expires_at: Timestamp,
  released_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp
})
export type StoredReservation = typeof StoredReservation.Type

export class CreateReservation extends Schema.Class<CreateReservation>("CreateReservation")({
  numbers: Schema.Array(E164).pipe(
    Schema.minItems(1, { message: () => "must list at least one number" }),
    Schema.maxItems(MAX_NUMBERS_PER_RESERVATION, {
      message: () => `must list at most ${MAX_NUMBERS_PER_RESERVATION} numbers`
    })
  ),
  /** How long the numbers are held; the configured default (30 minutes unless set) when absent. */
  ttl_minutes: Schema.optional(
    Schema.Int.pipe(Schema.between(1, MAX_RESERVATION_MINUTES, {
      message: () => `must be a whole number of minutes from 1 to ${MAX_RESERVATION_MINUTES}`
    }))
  )
}) {}
