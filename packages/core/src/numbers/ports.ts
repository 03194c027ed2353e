import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { PhoneNumber, StoredReservation } from "./model.js"

/** Where numbers go: one product, a country it is offered in, and optionally a city of it. */
export interface Placement {
  readonly product_id: string
  readonly country: string
  readonly city_id: string | null
}

/** A search, its criteria resolved: a city is an id here. All given criteria must match. */
export interface NumberFilter {
  readonly product_id?: string | undefined
  readonly country?: string | undefined
  readonly city_id?: string | undefined
  /** Digits anywhere in the number. */
  readonly contains?: string | undefined
  /** "+" and digits the number begins with. */
  readonly starts_with?: string | undefined
}

export class NumberRepo extends Context.Tag("@provisio/core/NumberRepo")<NumberRepo, {
  /**
   * Adds the numbers (distinct, E.164) as `available` at `placement`, in one statement; a number
   * already in the inventory is left as it is. Answers the numbers it added.
   */
  readonly insert: (
    placement: Placement,
    numbers: ReadonlyArray<string>,
    at: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /**
   * Available numbers matching `filter`, in number order after `after`, at most `limit`. A
   * number held by a reservation that ended before `now` counts as available (and is answered
   * as such): nothing has to run to free it.
   */
  readonly searchAvailable: (
    filter: NumberFilter,
    now: DateTime.Utc,
    after: string | undefined,
    limit: number
  ) => Effect.Effect<ReadonlyArray<PhoneNumber>, PersistenceError>
  /**
   * Holds those of `numbers` that are available at `now` (see `searchAvailable`) for the
   * reservation until `until`, in one statement, and answers the ones it took. Of two
   * concurrent claims of one number, exactly one gets it. Run it in a transaction, and roll
   * back when it did not take them all.
   */
  readonly claim: (
    numbers: ReadonlyArray<string>,
    hold: { readonly reservation_id: string; readonly until: DateTime.Utc },
    now: DateTime.Utc
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Those of `numbers` that are in the inventory, whatever their state. */
  readonly existing: (numbers: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Makes the numbers the reservation still holds available again. */
  readonly release: (reservationId: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}

export class ReservationRepo extends Context.Tag("@provisio/core/ReservationRepo")<ReservationRepo, {
  readonly insert: (reservation: StoredReservation) => Effect.Effect<StoredReservation, PersistenceError>
  /** The reservation of this customer with this id. */
  readonly findById: (
    customerId: string,
    id: string
  ) => Effect.Effect<Option.Option<StoredReservation>, PersistenceError>
  readonly list: (customerId: string, page: PageRequest) => Effect.Effect<Page<StoredReservation>, PersistenceError>
  readonly markReleased: (id: string, at: DateTime.Utc) => Effect.Effect<StoredReservation, PersistenceError>
}>() {}
