import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Principal } from "../identity/model.js"
import { InvalidState, NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type PageRequest } from "../shared/pagination.js"
import { type CreatePlan, INTERVAL_MONTHS, Plan, type PlanId, type UpdatePlan } from "./model.js"
import { type PlanFilter } from "./ports.js"
import { priceProblem } from "./pricing.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import { given, requireCatalogWriter, type PlanFields } from "./rules.js"
import type { CatalogDeps } from "./deps.js"

/** Versioned plans: created, read, changed (a new version) and published. */

/** A plan's fields a PUT does not change, each with why (shared/read-only.ts). */
const READ_ONLY_PLAN_FIELDS = {
  product_id: "cannot be changed: a plan stays with its product; create another plan for another product",
  version: "cannot be changed: every PUT makes the next version",
  status: "is changed by POST /plans/{planId}/publish, not by PUT: publishing a draft retires the version published before it",
  published_version: "is changed by POST /plans/{planId}/publish, not by PUT",
  id: "cannot be changed",
  created_at: "cannot be changed",
  updated_at: "cannot be changed"
} as const
export const makePlans = ({ products, skus, plans, transactor }: CatalogDeps) => {
  const findPlan = (id: string) => plans.findLatest(id).pipe(orNotFound("plan", id))

  /** The rules across records: the product, add-ons and SKUs exist, and everything is in one currency. */
  const checkPlan = Effect.fn("Catalog.checkPlan")(function* (fields: PlanFields, self: string | undefined) {
    if (Option.isNone(yield* products.findById(fields.product_id))) {
      return yield* ValidationError.of("product_id", `product ${fields.product_id} does not exist`)
    }
    const price = priceProblem("price.amount", fields.price.amount)
    if (Option.isSome(price)) return yield* price.value
    const interval = INTERVAL_MONTHS[fields.billing_interval]
    if (fields.commitment_months !== null && fields.commitment_months % interval !== 0) {
      return yield* ValidationError.of(
        "commitment_months",
        `must be a whole number of ${fields.billing_interval}s (a multiple of ${interval}): it is paid in installments of one billing interval`
      )
    }
    const currency = fields.price.currency
    const addons = yield* plans.findLatestByIds(fields.addon_plan_ids)
    for (const [i, id] of fields.addon_plan_ids.entries()) {
      const field = `addon_plan_ids[${i}]`
      if (fields.addon_plan_ids.indexOf(id) < i) return yield* ValidationError.of(field, `repeats an earlier add-on (${id})`)
      if (id === self) return yield* ValidationError.of(field, "a plan cannot be an add-on of itself")
      const addon = addons.find((plan) => plan.id === id)
      if (addon === undefined) return yield* ValidationError.of(field, `plan ${id} does not exist`)
      if (addon.price.currency !== currency) {
        return yield* ValidationError.of(
          field,
          `plan ${id} is priced in ${addon.price.currency}, this plan in ${currency}: an add-on is billed with its plan, in one currency`
        )
      }
    }
    const metered = yield* skus.findByIds(fields.sku_ids)
    for (const [i, id] of fields.sku_ids.entries()) {
      const field = `sku_ids[${i}]`
      if (fields.sku_ids.indexOf(id) < i) return yield* ValidationError.of(field, `repeats an earlier SKU (${id})`)
      const sku = metered.find((s) => s.id === id)
      if (sku === undefined) return yield* ValidationError.of(field, `SKU ${id} does not exist`)
      if (sku.currency !== currency) {
        return yield* ValidationError.of(
          field,
          `SKU ${sku.code} is priced in ${sku.currency}, this plan in ${currency}: usage is billed with the plan, in one currency`
        )
      }
    }
  })

  const createPlan = Effect.fn("Catalog.createPlan")(function* (principal: Principal, input: CreatePlan) {
    yield* requireCatalogWriter(principal)
    const fields: PlanFields = {
      product_id: input.product_id,
      name: input.name,
      price: input.price,
      billing_interval: input.billing_interval,
      commitment_months: input.commitment_months ?? null,
      addon_plan_ids: input.addon_plan_ids ?? [],
      sku_ids: input.sku_ids ?? [],
      tax_behavior: input.tax_behavior ?? "exclusive",
      tax_category: input.tax_category ?? "telecom",
      place_of_supply: input.place_of_supply ?? "customer"
    }
    yield* checkPlan(fields, undefined)
    const at = yield* now
    return yield* plans.insert(new Plan({
      id: (yield* makeId("pln")) as PlanId,
      ...fields,
      version: 1,
      status: "draft",
      published_version: null,
      created_at: at,
      updated_at: at
    }))
  })

  const listPlans = (_principal: Principal, filter: PlanFilter, page: PageRequest) => plans.list(filter, page)

  /** The latest version, or the one asked for. */
  const getPlan = Effect.fn("Catalog.getPlan")(function* (
    _principal: Principal,
    id: string,
    version?: number | undefined
  ) {
    if (version === undefined) return yield* findPlan(id)
    const plan = yield* plans.findVersion(id, version)
    if (Option.isSome(plan)) return plan.value
    yield* findPlan(id)
    return yield* new NotFound({ message: `plan ${id} has no version ${version}`, field: "version" })
  })

  /** A new draft version: the latest one with the changes; the versions before stay as they are. */
  const updatePlan = Effect.fn("Catalog.updatePlan")(function* (principal: Principal, id: string, input: UpdatePlan) {
    yield* requireCatalogWriter(principal)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      if (!(yield* plans.lock(id))) return yield* NotFound.of("plan", id)
      const latest = yield* findPlan(id)
      const readOnly = changedReadOnlyField(input, READ_ONLY_PLAN_FIELDS, () => Schema.encodeSync(Plan)(latest) as unknown as Record<string, unknown>)
      if (readOnly !== undefined) return yield* readOnly
      const fields: PlanFields = {
        product_id: latest.product_id,
        name: given(input.name, latest.name),
        price: given(input.price, latest.price),
        billing_interval: given(input.billing_interval, latest.billing_interval),
        commitment_months: given(input.commitment_months, latest.commitment_months),
        addon_plan_ids: given(input.addon_plan_ids, latest.addon_plan_ids),
        sku_ids: given(input.sku_ids, latest.sku_ids),
        tax_behavior: given(input.tax_behavior, latest.tax_behavior),
        tax_category: given(input.tax_category, latest.tax_category),
        place_of_supply: given(input.place_of_supply, latest.place_of_supply)
      }
      yield* checkPlan(fields, latest.id)
      const at = yield* now
      return yield* plans.addVersion(new Plan({
        ...latest,
        ...fields,
        version: latest.version + 1,
        status: "draft",
        created_at: at,
        updated_at: at
      }))
    }))
  })

  /**
   * The latest version, a draft, becomes the one new subscriptions get; the version published
   * before is retired (its subscriptions keep it). Its references are checked again, as they may
   * have changed since the draft was made.
   */
  const publishPlan = Effect.fn("Catalog.publishPlan")(function* (principal: Principal, id: string) {
    yield* requireCatalogWriter(principal)
    return yield* transactor.withTransaction(Effect.gen(function* () {
      if (!(yield* plans.lock(id))) return yield* NotFound.of("plan", id)
      const latest = yield* findPlan(id)
      if (latest.status !== "draft") {
        return yield* new InvalidState({
          message: `plan ${id} has no draft to publish: its latest version (${latest.version}) is ${latest.status}; ` +
            "change the plan (PUT) to make a new draft version"
        })
      }
      yield* checkPlan(latest, latest.id)
      return yield* plans.publish(id, latest.version, yield* now)
    }))
  })

  return { createPlan, listPlans, getPlan, updatePlan, publishPlan }
}
