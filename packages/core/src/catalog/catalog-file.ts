import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Principal } from "../identity/model.js"
import { ValidationError } from "../shared/errors.js"
import { Money } from "../shared/money.js"
import {
  type AvailabilityInput,
  BillingInterval,
  type CharacteristicInput,
  CreatePlan,
  CreateProduct,
  CreateSku,
  type Plan,
  type PlanId,
  type Product,
  type Sku,
  type SkuId,
  UpdatePlan,
  UpdateProduct,
  UpdateSku
} from "./model.js"
import type { Tier } from "./pricing.js"

/**
 * A catalog file (`provisio catalog import <catalog.json>`, examples/catalog.json): SKUs, products
 * and plans as the API creates them, but referring to each other by name (products, plans) and
 * code (SKUs) rather than by id, so one file loads into any database.
 */
export class CatalogPlan extends Schema.Class<CatalogPlan>("CatalogPlan")({
  name: CreatePlan.fields.name,
  /** The product's name. */
  product: Schema.String,
  price: Money,
  billing_interval: BillingInterval,
  commitment_months: CreatePlan.fields.commitment_months,
  /** Names of the plans that may be added to it: in the file or already in the catalog. */
  addons: Schema.optional(Schema.Array(Schema.String)),
  /** Codes of the SKUs metered under it: in the file or already in the catalog. */
  skus: Schema.optional(Schema.Array(Schema.String)),
  /** Whether the plan as written is the version new subscriptions get (`true` when absent). */
  published: Schema.optional(Schema.Boolean)
}) {}

export class CatalogFile extends Schema.Class<CatalogFile>("CatalogFile")({
  skus: Schema.optionalWith(Schema.Array(CreateSku), { default: () => [] }),
  products: Schema.optionalWith(Schema.Array(CreateProduct), { default: () => [] }),
  plans: Schema.optionalWith(Schema.Array(CatalogPlan), { default: () => [] })
}) {}

export type ImportOutcome = "created" | "updated" | "unchanged"

/** What happened to one item of the file. */
export interface ImportItem {
  readonly kind: "sku" | "product" | "plan"
  /** The SKU's code, the product's or plan's name. */
  readonly key: string
  readonly id: string
  readonly outcome: ImportOutcome
  /** For plans: the version the catalog now has, and its status. */
  readonly detail?: string
}

export interface ImportSummary {
  readonly items: ReadonlyArray<ImportItem>
  readonly created: number
  readonly updated: number
  readonly unchanged: number
}

/** The catalog's use cases the import runs on, so it obeys the same rules as the API. */
export interface ImportOps {
  readonly findProductByName: (name: string) => Effect.Effect<Option.Option<Product>, any>
  readonly findSkuByCode: (code: string) => Effect.Effect<Option.Option<Sku>, any>
  readonly findPlanByName: (name: string) => Effect.Effect<Option.Option<Plan>, any>
  readonly createProduct: (principal: Principal, input: CreateProduct) => Effect.Effect<Product, any>
  readonly updateProduct: (principal: Principal, id: string, input: UpdateProduct) => Effect.Effect<Product, any>
  readonly createSku: (principal: Principal, input: CreateSku) => Effect.Effect<Sku, any>
  readonly updateSku: (principal: Principal, id: string, input: UpdateSku) => Effect.Effect<Sku, any>
  readonly createPlan: (principal: Principal, input: CreatePlan) => Effect.Effect<Plan, any>
  readonly updatePlan: (principal: Principal, id: string, input: UpdatePlan) => Effect.Effect<Plan, any>
  readonly publishPlan: (principal: Principal, id: string) => Effect.Effect<Plan, any>
}

type OpsError<Ops> = {
  [K in keyof Ops]: Ops[K] extends (...args: ReadonlyArray<any>) => Effect.Effect<any, infer E, any> ? E : never
}[keyof Ops]

// Comparing what the file says with what is stored --------------------------------------------

const sameDecimal = (a: BigDecimal.BigDecimal | null | undefined, b: BigDecimal.BigDecimal | null | undefined) =>
  a == null || b == null ? a == null && b == null : BigDecimal.equals(a, b)

const sameArray = <A>(a: ReadonlyArray<A>, b: ReadonlyArray<A>, same: (x: A, y: A) => boolean = (x, y) => x === y) =>
  a.length === b.length && a.every((x, i) => same(x, b[i]!))

const sameTier = (a: Tier, b: Tier) =>
  sameDecimal(a.up_to, b.up_to) && sameDecimal(a.unit_price, b.unit_price) && sameDecimal(a.flat_fee, b.flat_fee)

const sameSku = (sku: Sku, input: CreateSku) =>
  sku.code === input.code && sku.name === input.name && sku.unit === input.unit && sku.currency === input.currency &&
  sku.model === input.model && sameDecimal(sku.unit_price, input.unit_price) &&
  sku.package_size === (input.package_size ?? null) && sameArray(sku.tiers, input.tiers ?? [], sameTier) &&
  sameArray(sku.thresholds, input.thresholds ?? [])

const sameAvailability = (a: { readonly country: string; readonly city: string | null }, b: AvailabilityInput) =>
  a.country === b.country && (a.city ?? "").toLowerCase() === (b.city ?? "").toLowerCase()

const sameCharacteristic = (
  a: { readonly name: string; readonly type: string; readonly required: boolean; readonly allowed_values: ReadonlyArray<string> | null },
  b: CharacteristicInput
) =>
  a.name === b.name && a.type === b.type && a.required === (b.required ?? false) &&
  sameArray(a.allowed_values ?? [], b.allowed_values ?? [])

const sameProduct = (product: Product, input: CreateProduct) =>
  product.name === input.name && product.type === input.type &&
  product.availability.length === (input.availability ?? []).length &&
  product.availability.every((a, i) => sameAvailability(a, input.availability![i]!)) &&
  product.characteristics.length === (input.characteristics ?? []).length &&
  product.characteristics.every((c, i) => sameCharacteristic(c, input.characteristics![i]!))

const samePlan = (plan: Plan, input: CreatePlan) =>
  plan.name === input.name && plan.price.currency === input.price.currency &&
  BigDecimal.equals(plan.price.amount, input.price.amount) && plan.billing_interval === input.billing_interval &&
  plan.commitment_months === (input.commitment_months ?? null) &&
  sameArray(plan.addon_plan_ids, input.addon_plan_ids ?? []) && sameArray(plan.sku_ids, input.sku_ids ?? [])

/** A failure of one item, with the item's place in the file in front of the field it names. */
const within = (at: string) =>
  Effect.mapError(<E>(error: E): E =>
    error instanceof ValidationError
      ? (ValidationError.of(error.field === undefined ? at : `${at}.${error.field}`, error.message) as E)
      : error
  )

const firstRepeat = (keys: ReadonlyArray<string>) => {
  const lower = keys.map((key) => key.toLowerCase())
  return lower.findIndex((key, i) => lower.indexOf(key) < i)
}

/**
 * Plans in an order where each comes after the add-ons of the file it names. Fails on a cycle
 * (an add-on of itself, through other plans).
 */
const planOrder = (plans: ReadonlyArray<CatalogPlan>) => {
  const index = new Map(plans.map((plan, i) => [plan.name.toLowerCase(), i]))
  const state = new Map<number, "visiting" | "done">()
  const order: Array<number> = []
  const visit = (i: number): ValidationError | undefined => {
    if (state.get(i) === "done") return undefined
    if (state.get(i) === "visiting") {
      return ValidationError.of(`plans[${i}].addons`, `"${plans[i]!.name}" is, through its add-ons, an add-on of itself`)
    }
    state.set(i, "visiting")
    for (const name of plans[i]!.addons ?? []) {
      const j = index.get(name.toLowerCase())
      const failure = j === undefined ? undefined : visit(j)
      if (failure !== undefined) return failure
    }
    state.set(i, "done")
    order.push(i)
    return undefined
  }
  for (const i of plans.keys()) {
    const failure = visit(i)
    if (failure !== undefined) return Effect.fail(failure)
  }
  return Effect.succeed(order)
}

/** Reports one item done: kept for the summary, and shown to the caller as it happens. */
type Done<R> = (item: ImportItem) => Effect.Effect<void, never, R>

/** The file's sections each name an item once: the first repeat is refused with its place. */
const refuseRepeats = (file: CatalogFile) =>
  Effect.gen(function* () {
    for (const [section, keys] of [
      ["skus", file.skus.map((s) => s.code)],
      ["products", file.products.map((p) => p.name)],
      ["plans", file.plans.map((p) => p.name)]
    ] as const) {
      const repeat = firstRepeat(keys)
      if (repeat >= 0) {
        const field = section === "skus" ? "code" : "name"
        return yield* ValidationError.of(`${section}[${repeat}].${field}`, `repeats an earlier one ("${keys[repeat]}")`)
      }
    }
  })

/** SKUs, by code. */
const importSkus = <R>(ops: ImportOps, principal: Principal, skus: CatalogFile["skus"], done: Done<R>) =>
  Effect.gen(function* () {
    for (const [i, input] of skus.entries()) {
      const existing = yield* ops.findSkuByCode(input.code)
      if (Option.isNone(existing)) {
        const sku = yield* within(`skus[${i}]`)(ops.createSku(principal, input))
        yield* done({ kind: "sku", key: input.code, id: sku.id, outcome: "created" })
      } else if (sameSku(existing.value, input)) {
        yield* done({ kind: "sku", key: input.code, id: existing.value.id, outcome: "unchanged" })
      } else {
        // Every field as the file has it; the pricing fields the model does not use are cleared.
        const sku = yield* within(`skus[${i}]`)(ops.updateSku(principal, existing.value.id, new UpdateSku({
          code: input.code,
          name: input.name,
          unit: input.unit,
          currency: input.currency,
          model: input.model,
          unit_price: input.unit_price ?? null,
          package_size: input.package_size ?? null,
          tiers: input.tiers ?? null,
          thresholds: input.thresholds ?? []
        })))
        yield* done({ kind: "sku", key: input.code, id: sku.id, outcome: "updated" })
      }
    }
  })

/** Products, by name. */
const importProducts = <R>(ops: ImportOps, principal: Principal, products: CatalogFile["products"], done: Done<R>) =>
  Effect.gen(function* () {
    for (const [i, input] of products.entries()) {
      const existing = yield* ops.findProductByName(input.name)
      if (Option.isNone(existing)) {
        const product = yield* within(`products[${i}]`)(ops.createProduct(principal, input))
        yield* done({ kind: "product", key: input.name, id: product.id, outcome: "created" })
      } else if (sameProduct(existing.value, input)) {
        yield* done({ kind: "product", key: input.name, id: existing.value.id, outcome: "unchanged" })
      } else {
        const product = yield* within(`products[${i}]`)(ops.updateProduct(principal, existing.value.id, new UpdateProduct({
          name: input.name,
          type: input.type,
          availability: input.availability ?? [],
          characteristics: input.characteristics ?? []
        })))
        yield* done({ kind: "product", key: input.name, id: product.id, outcome: "updated" })
      }
    }
  })

/**
 * A plan entry as the use case's input: its product, add-ons (the file's earlier plans, else the
 * catalog's) and SKUs found by name and code, each missing one refused with its place.
 */
const planInput = (ops: ImportOps, at: string, entry: CatalogPlan, planIds: ReadonlyMap<string, PlanId>) =>
  Effect.gen(function* () {
    const product = yield* ops.findProductByName(entry.product)
    if (Option.isNone(product)) {
      return yield* ValidationError.of(`${at}.product`, `no product is named "${entry.product}"`)
    }
    const addonIds: Array<PlanId> = []
    for (const [j, name] of (entry.addons ?? []).entries()) {
      const id = planIds.get(name.toLowerCase()) ?? Option.getOrUndefined(yield* ops.findPlanByName(name))?.id
      if (id === undefined) {
        return yield* ValidationError.of(`${at}.addons[${j}]`, `no plan is named "${name}", in the file or the catalog`)
      }
      addonIds.push(id)
    }
    const skuIds: Array<SkuId> = []
    for (const [j, code] of (entry.skus ?? []).entries()) {
      const sku = yield* ops.findSkuByCode(code)
      if (Option.isNone(sku)) {
        return yield* ValidationError.of(`${at}.skus[${j}]`, `no SKU has the code "${code}", in the file or the catalog`)
      }
      skuIds.push(sku.value.id)
    }
    return new CreatePlan({
      product_id: product.value.id,
      name: entry.name,
      price: entry.price,
      billing_interval: entry.billing_interval,
      commitment_months: entry.commitment_months ?? null,
      addon_plan_ids: addonIds,
      sku_ids: skuIds
    })
  })

/** One plan created, updated to match (a new version) or left alone; published unless the file says not. */
const importPlan = (ops: ImportOps, principal: Principal, at: string, entry: CatalogPlan, input: CreatePlan) =>
  Effect.gen(function* () {
    const publish = entry.published ?? true
    const existing = yield* ops.findPlanByName(entry.name)
    if (Option.isNone(existing)) {
      const plan: Plan = yield* within(at)(ops.createPlan(principal, input))
      return { plan: publish ? yield* within(at)(ops.publishPlan(principal, plan.id)) : plan, outcome: "created" as const }
    }
    if (existing.value.product_id !== input.product_id) {
      return yield* ValidationError.of(
        `${at}.product`,
        `plan "${entry.name}" belongs to product ${existing.value.product_id}; a plan's product never changes`
      )
    }
    if (samePlan(existing.value, input)) {
      return publish && existing.value.status === "draft"
        ? { plan: yield* within(at)(ops.publishPlan(principal, existing.value.id)), outcome: "updated" as const }
        : { plan: existing.value, outcome: "unchanged" as const }
    }
    const plan: Plan = yield* within(at)(ops.updatePlan(principal, existing.value.id, new UpdatePlan({
      name: input.name,
      price: input.price,
      billing_interval: input.billing_interval,
      commitment_months: input.commitment_months ?? null,
      addon_plan_ids: input.addon_plan_ids ?? [],
      sku_ids: input.sku_ids ?? []
    })))
    return { plan: publish ? yield* within(at)(ops.publishPlan(principal, plan.id)) : plan, outcome: "updated" as const }
  })

/**
 * The import, over the catalog's use cases (service.ts runs it in one transaction). SKUs first,
 * then products, then plans (add-ons before the plans naming them). Each item is created, updated
 * to match the file, or left alone when it already does.
 */
export const makeImporter = <Ops extends ImportOps>(ops: Ops) =>
<R = never>(
  principal: Principal,
  file: CatalogFile,
  onItem?: (item: ImportItem) => Effect.Effect<void, never, R>
): Effect.Effect<ImportSummary, OpsError<Ops> | ValidationError, R> =>
  Effect.gen(function* () {
    const items: Array<ImportItem> = []
    const done = (item: ImportItem) =>
      Effect.zipRight(Effect.sync(() => items.push(item)), onItem === undefined ? Effect.void : onItem(item))

    yield* refuseRepeats(file)
    yield* importSkus(ops, principal, file.skus, done)
    yield* importProducts(ops, principal, file.products, done)
    // Plans, by name; add-ons first.
    const planIds = new Map<string, PlanId>()
    for (const i of yield* planOrder(file.plans)) {
      const entry = file.plans[i]!
      const input = yield* planInput(ops, `plans[${i}]`, entry, planIds)
      const { outcome, plan } = yield* importPlan(ops, principal, `plans[${i}]`, entry, input)
      planIds.set(entry.name.toLowerCase(), plan.id)
      yield* done({ kind: "plan", key: entry.name, id: plan.id, outcome, detail: `version ${plan.version}, ${plan.status}` })
    }

    const count = (outcome: ImportOutcome) => items.filter((item) => item.outcome === outcome).length
    return { items, created: count("created"), updated: count("updated"), unchanged: count("unchanged") }
  }) as Effect.Effect<ImportSummary, OpsError<Ops> | ValidationError, R>
