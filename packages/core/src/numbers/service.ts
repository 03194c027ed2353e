import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PlaceRepo, ProductRepo } from "../catalog/ports.js"
import { CustomerRepo } from "../customers/ports.js"
import { Transactor } from "../shared/transactor.js"
import { ReservationTtlMinutes } from "./config.js"
import { NumberRepo, ReservationRepo } from "./ports.js"
import { makeInventory } from "./inventory.js"
import { makeReservations } from "./reservations.js"
import { makeCommon } from "./context.js"

/**
 * Numbers, one file per job: inventory.ts (adding and searching) and reservations.ts, over the
 * placement rules of context.ts; here they are given their ports once.
 */
export type { ImportBatch, NumberRow, RejectedRow, RowOutcome } from "./file-rows.js"
export { requireNumberAdmin, reservationStatus } from "./rules.js"

export const make = Effect.gen(function* () {
  const products = yield* ProductRepo
  const places = yield* PlaceRepo
  const customers = yield* CustomerRepo
  const numbers = yield* NumberRepo
  const reservations = yield* ReservationRepo
  const transactor = yield* Transactor
  const defaultTtl = yield* ReservationTtlMinutes
  const deps = { products, places, customers, numbers, reservations, transactor, defaultTtl }
  const context = { ...deps, ...makeCommon(deps) }
  return {
    ...makeInventory(context),
    ...makeReservations(context)
  } as const
})

export class Numbers extends Context.Tag("@provisio/core/Numbers")<Numbers, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Numbers, make)
}
