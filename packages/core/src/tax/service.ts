import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Principal } from "../identity/model.js"
import { requireAdmin, requireKind } from "../identity/policy.js"
import { InvalidState, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import { type CreateTaxRate, TaxRate, type TaxRateId, type UpdateTaxRate } from "./model.js"
import { TaxRateRepo } from "./ports.js"
import { overlaps } from "./rules.js"

/** The rate table: everyone reads it; the platform's admins write it. */
const requireRateWriter = (principal: Principal) =>
  Effect.zipRight(requireKind(principal, ["platform"], "change tax rates"), requireAdmin(principal))

export const make = Effect.gen(function* () {
  const repo = yield* TaxRateRepo
  const transactor = yield* Transactor
  const find = (id: string) => repo.findById(id).pipe(orNotFound("tax rate", id))

  /** Valid_to after valid_from; no other row of the country, region and category in force on a shared day (409). */
  const check = (rate: TaxRate) =>
    Effect.gen(function* () {
      if (rate.valid_to !== null && rate.valid_to <= rate.valid_from) {
        return yield* ValidationError.of("valid_to", "must be after valid_from (it is exclusive)")
      }
      const siblings = yield* repo.lockSiblings(rate.country, rate.region, rate.category)
      const clash = siblings.find((s) => s.id !== rate.id && overlaps(s, rate))
      if (clash !== undefined) {
        return yield* new InvalidState({
          message: `overlaps tax rate ${clash.id} (${clash.valid_from} to ${clash.valid_to ?? "open"}) of the same ` +
            "country, region and category: end that one first",
          field: "valid_from"
        })
      }
    })

  const createRate = Effect.fn("TaxRates.create")(function* (principal: Principal, input: CreateTaxRate) {
    yield* requireRateWriter(principal)
    const at = yield* now
    const rate = new TaxRate({
      id: (yield* makeId("txr")) as TaxRateId,
      country: input.country,
      region: input.region ?? null,
      category: input.category,
      rate: input.rate,
      valid_from: input.valid_from,
      valid_to: input.valid_to ?? null,
      created_at: at,
      updated_at: at
    })
    return yield* transactor.withTransaction(Effect.zipRight(check(rate), repo.save(rate)))
  })

  const updateRate = Effect.fn("TaxRates.update")(function* (principal: Principal, id: string, input: UpdateTaxRate) {
    yield* requireRateWriter(principal)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const current = yield* find(id)
      const rate = new TaxRate({
        ...current,
        country: input.country ?? current.country,
        region: input.region === undefined ? current.region : input.region,
        category: input.category ?? current.category,
        rate: input.rate ?? current.rate,
        valid_from: input.valid_from ?? current.valid_from,
        valid_to: input.valid_to === undefined ? current.valid_to : input.valid_to,
        updated_at: at
      })
      yield* check(rate)
      return yield* repo.save(rate)
    }))
  })

  const deleteRate = Effect.fn("TaxRates.delete")(function* (principal: Principal, id: string) {
    yield* requireRateWriter(principal)
    const removed = yield* repo.remove(id)
    if (!removed) return yield* find(id).pipe(Effect.asVoid)
  })

  return {
    listRates: (_principal: Principal, filter: { readonly country?: string | undefined; readonly category?: string | undefined }, page: PageRequest) =>
      repo.list(filter, page),
    getRate: (_principal: Principal, id: string) => find(id),
    createRate,
    updateRate,
    deleteRate
  }
})

export class TaxRates extends Context.Tag("@provisio/core/TaxRates")<TaxRates, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(TaxRates, make)
}
