import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type { Characteristics } from "../subscriptions/model.js"
import type { PersistenceError } from "../shared/errors.js"
import type { HeldNumber } from "./model.js"

/** The writes of number orders on the number inventory. Run every one in the order's transaction. */
export class NumberOrderRepo extends Context.Tag("@provisio/core/NumberOrderRepo")<NumberOrderRepo, {
  /**
   * Up to `limit` numbers of the product available at `now` (no hold, or a lapsed one), matching
   * the criteria, locked; rows another transaction holds are skipped.
   */
  readonly pickAvailable: (criteria: {
    readonly product_id: string
    readonly country: string
    readonly city_id: string | undefined
    readonly contains: string | undefined
    readonly limit: number
  }, now: DateTime.Utc) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Those of `numbers` that are in the inventory, locked, with their state. */
  readonly lock: (numbers: ReadonlyArray<string>, now: DateTime.Utc) => Effect.Effect<ReadonlyArray<HeldNumber>, PersistenceError>
  /** The customer's numbers of the product (assigned or porting), locked. */
  readonly lockOwned: (customerId: string, productId: string) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  /** Makes the numbers the customer's: `assigned`, no reservation. */
  readonly assign: (numbers: ReadonlyArray<string>, customerId: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** Adds numbers from another carrier as `porting` to the customer. */
  readonly insertPorting: (
    numbers: ReadonlyArray<string>,
    placement: { readonly product_id: string; readonly country: string; readonly customer_id: string; readonly carrier: string | null },
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  readonly move: (numbers: ReadonlyArray<string>, locationId: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  readonly change: (
    numbers: ReadonlyArray<string>,
    characteristics: Characteristics,
    at: DateTime.Utc
  ) => Effect.Effect<void, PersistenceError>
  /** A porting number whose carrier confirmed the port: `assigned` to its customer. */
  readonly completePort: (number: string, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
  /** A porting number whose port failed: taken out of the inventory. */
  readonly removePorting: (number: string) => Effect.Effect<void, PersistenceError>
  /** Releases the numbers to `quarantined`: no customer, location or characteristics. */
  readonly quarantine: (numbers: ReadonlyArray<string>, at: DateTime.Utc) => Effect.Effect<void, PersistenceError>
}>() {}
