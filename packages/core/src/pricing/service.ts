import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Principal } from "../identity/model.js"
import { canReach, requireAdmin, requireKind } from "../identity/policy.js"
import { NotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import type { PageRequest } from "../shared/pagination.js"
import { now } from "../shared/time.js"
import { Transactor } from "../shared/transactor.js"
import {
  type AssignPriceList,
  type CreatePriceList,
  PriceList,
  PriceListAssignments,
  type PriceListId,
  ResolvedPrice,
  type UpdatePriceList
} from "./model.js"
import { PriceListRepo, PriceResolver } from "./ports.js"
import { visibleChain } from "./resolve.js"
import { validateRules } from "./rules.js"

const SELLERS = ["platform", "distributor", "partner"] as const

/** Lists are an owner's: its admins (or an admin above it) write them; anyone of the owner or above reads. */
const requireListWriter = (principal: Principal) =>
  Effect.zipRight(requireKind(principal, SELLERS, "own price lists"), requireAdmin(principal))

export const make = Effect.gen(function* () {
  const repo = yield* PriceListRepo
  const resolver = yield* PriceResolver
  const transactor = yield* Transactor

  /** A list the caller reaches (its own, or one below it); anything else is not found. */
  const find = (principal: Principal, id: string) =>
    Effect.flatMap(repo.findById(id), (found) =>
      Option.isSome(found) && canReach(principal, found.value.owner_lineage)
        ? Effect.succeed(found.value.list)
        : Effect.fail(NotFound.of("price list", id)))

  /** `moved`: the bound the caller sent, named when the two are out of order (valid_to when both or neither). */
  const checkList = (list: PriceList, moved: "valid_from" | "valid_to" = "valid_to") =>
    Effect.gen(function* () {
      if (list.valid_to !== null && list.valid_to <= list.valid_from) {
        return yield* moved === "valid_from"
          ? ValidationError.of("valid_from", `must be before valid_to (${list.valid_to}, which is exclusive)`)
          : ValidationError.of("valid_to", "must be after valid_from (it is exclusive)")
      }
      const missing = yield* repo.missingTarget(list.rules)
      if (Option.isSome(missing)) return yield* ValidationError.of(missing.value, "no such plan, SKU or product in the catalog")
    })

  const rulesOf = (input: CreatePriceList["rules"]) =>
    Either.match(validateRules(input), { onLeft: Effect.fail, onRight: Effect.succeed })

  const createList = Effect.fn("PriceLists.create")(function* (principal: Principal, input: CreatePriceList) {
    yield* requireListWriter(principal)
    const ownerId = input.owner_account_id ?? principal.account_id
    const owner = yield* repo.account(ownerId)
    if (Option.isNone(owner) || !canReach(principal, owner.value.lineage)) {
      return yield* ValidationError.of("owner_account_id", "must be your account or an account below it")
    }
    const at = yield* now
    const list = new PriceList({
      id: (yield* makeId("prl")) as PriceListId,
      owner_account_id: ownerId,
      name: input.name,
      currency: input.currency,
      valid_from: input.valid_from,
      valid_to: input.valid_to ?? null,
      apply: input.apply,
      rules: yield* rulesOf(input.rules),
      assignments: new PriceListAssignments({ all: false, account_ids: [], customer_ids: [] }),
      created_at: at,
      updated_at: at
    })
    // The list and its rules together, or neither.
    yield* transactor.withTransaction(Effect.zipRight(checkList(list), repo.save(list)))
    return list
  })

  const updateList = Effect.fn("PriceLists.update")(function* (principal: Principal, id: string, input: UpdatePriceList) {
    yield* requireListWriter(principal)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const current = yield* find(principal, id)
      if (input.owner_account_id !== undefined && input.owner_account_id !== current.owner_account_id) {
        return yield* ValidationError.of("owner_account_id", "a list's owner is fixed when it is made: make a list for that account")
      }
      const list = new PriceList({
        ...current,
        name: input.name ?? current.name,
        currency: input.currency ?? current.currency,
        valid_from: input.valid_from ?? current.valid_from,
        valid_to: input.valid_to === undefined ? current.valid_to : input.valid_to,
        apply: input.apply ?? current.apply,
        rules: input.rules === undefined ? current.rules : yield* rulesOf(input.rules),
        updated_at: at
      })
      yield* checkList(list, input.valid_from !== undefined && input.valid_to === undefined ? "valid_from" : "valid_to")
      yield* repo.save(list)
      return list
    }))
  })

  const deleteList = Effect.fn("PriceLists.delete")(function* (principal: Principal, id: string) {
    yield* requireListWriter(principal)
    yield* find(principal, id)
    yield* repo.remove(id)
  })

  /**
   * Who the list prices: accounts directly below its owner (a platform's distributors, a
   * distributor's partners), a partner's customers, or all of them. Anything else is 422 naming
   * the id's field.
   */
  const assignList = Effect.fn("PriceLists.assign")(function* (principal: Principal, id: string, input: AssignPriceList) {
    yield* requireListWriter(principal)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const list = yield* find(principal, id)
      const given = [input.account_ids, input.customer_ids, input.all].filter((x) => x !== undefined).length
      if (given !== 1) return yield* ValidationError.of("account_ids", "send exactly one of account_ids, customer_ids or all: true")
      if (input.all !== undefined) {
        if (!input.all) return yield* ValidationError.of("all", "must be true (send [] ids to assign the list to nobody)")
        yield* repo.assign(id, { all: true, ids: [] }, at)
      } else {
        const owner = yield* repo.account(list.owner_account_id)
        const ownerIsPartner = Option.isSome(owner) && owner.value.kind === "partner"
        const field = input.account_ids !== undefined ? "account_ids" : "customer_ids"
        if ((field === "customer_ids") !== ownerIsPartner) {
          return yield* ValidationError.of(field, ownerIsPartner
            ? "a partner's list prices its customers: send customer_ids"
            : "a platform's or distributor's list prices the accounts below it: send account_ids")
        }
        const ids = [...new Set(input.account_ids ?? input.customer_ids ?? [])]
        const found = new Set(ownerIsPartner
          ? yield* repo.customersOf(list.owner_account_id, ids)
          : yield* repo.childAccounts(list.owner_account_id, ids))
        const outside = ids.findIndex((x) => !found.has(x))
        if (outside >= 0) {
          return yield* ValidationError.of(`${field}[${outside}]`, `${ids[outside]} is not directly below the list's owner`)
        }
        yield* repo.assign(id, { all: false, ids }, at)
      }
      return yield* find(principal, id)
    }))
  })

  /**
   * The plan's price for a customer or an account (the caller's own when neither is named) on a
   * day, and the chain from the caller's own buying price down to it.
   */
  const priceOf = Effect.fn("PriceLists.price")(function* (
    principal: Principal,
    planId: string,
    query: { readonly customer_id?: string | undefined; readonly account_id?: string | undefined; readonly date?: string | undefined }
  ) {
    if (query.customer_id !== undefined && query.account_id !== undefined) {
      return yield* ValidationError.of("account_id", "name a customer_id or an account_id, not both")
    }
    const version = yield* resolver.currentVersion(planId)
    if (Option.isNone(version)) return yield* NotFound.of("plan", planId)
    const subject = query.customer_id ?? query.account_id ?? principal.account_id
    const date = query.date ?? DateTime.formatIsoDateUtc(yield* now)
    const [resolved] = yield* resolver.plans([{ subject_id: subject, plan_id: planId, plan_version: version.value, on_date: date }])
    const chain = resolved == null ? [] : visibleChain(resolved.chain, principal.account_id, resolved.currency)
    if (resolved == null || chain.length === 0 || chain[chain.length - 1]!.account_id !== subject) {
      return yield* NotFound.of(query.customer_id !== undefined ? "customer" : "account", subject)
    }
    return new ResolvedPrice({ plan_id: planId, plan_version: version.value, date, price: chain[chain.length - 1]!.price, chain })
  })

  return {
    listPriceLists: (principal: Principal, page: PageRequest) =>
      Effect.zipRight(requireKind(principal, SELLERS, "own price lists"), repo.list(principal.account_id, page)),
    getPriceList: find,
    createList,
    updateList,
    deleteList,
    assignList,
    priceOf
  }
})

export class PriceLists extends Context.Tag("@provisio/core/PriceLists")<PriceLists, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(PriceLists, make)
}
