import * as BigDecimal from "effect/BigDecimal"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Either from "effect/Either"
import type { Principal } from "../identity/model.js"
import { orNotFound, ValidationError } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { money, parseDecimal } from "../shared/money.js"
import { type PageRequest } from "../shared/pagination.js"
import { type CreateSku, Quote, QuoteLine, Sku, type SkuId, skuPriceModel, type UpdateSku } from "./model.js"
import { rate } from "./pricing.js"
import { validateThresholds } from "./thresholds.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import { given, requireCatalogWriter, READ_ONLY_CATALOG_FIELDS, resolvePricing } from "./rules.js"
import type { CatalogDeps } from "./deps.js"

/** SKUs with their price models, and quotes of a quantity. */
export const makeSkus = ({ skus, plans }: CatalogDeps) => {
  const findSku = (id: string) => skus.findById(id).pipe(orNotFound("SKU", id))

  const createSku = Effect.fn("Catalog.createSku")(function* (principal: Principal, input: CreateSku) {
    yield* requireCatalogWriter(principal)
    const pricing = yield* resolvePricing(input.model, input, undefined)
    const thresholds = yield* validateThresholds(input.thresholds ?? [])
    const at = yield* now
    return yield* skus.insert(new Sku({
      id: (yield* makeId("sku")) as SkuId,
      code: input.code,
      name: input.name,
      unit: input.unit,
      currency: input.currency,
      ...pricing,
      thresholds,
      tax_behavior: input.tax_behavior ?? "exclusive",
      tax_category: input.tax_category ?? "telecom",
      place_of_supply: input.place_of_supply ?? "customer",
      created_at: at,
      updated_at: at
    }))
  })

  const listSkus = (_principal: Principal, page: PageRequest) => skus.list(page)

  const getSku = Effect.fn("Catalog.getSku")(function* (_principal: Principal, id: string) {
    return yield* findSku(id)
  })

  const updateSku = Effect.fn("Catalog.updateSku")(function* (principal: Principal, id: string, input: UpdateSku) {
    yield* requireCatalogWriter(principal)
    const current = yield* findSku(id)
    const readOnly = changedReadOnlyField(input, READ_ONLY_CATALOG_FIELDS, () => Schema.encodeSync(Sku)(current) as unknown as Record<string, unknown>)
    if (readOnly !== undefined) return yield* readOnly
    const pricing = yield* resolvePricing(input.model ?? current.model, input, current)
    const thresholds = input.thresholds === undefined ? current.thresholds : yield* validateThresholds(input.thresholds)
    const currency = input.currency ?? current.currency
    if (currency !== current.currency && (yield* plans.usesSku(current.id))) {
      return yield* ValidationError.of(
        "currency",
        `cannot change: plans meter this SKU in ${current.currency}; create another SKU priced in ${currency}`
      )
    }
    return yield* skus.update(new Sku({
      ...current,
      code: given(input.code, current.code),
      name: given(input.name, current.name),
      unit: given(input.unit, current.unit),
      currency,
      ...pricing,
      thresholds,
      tax_behavior: given(input.tax_behavior, current.tax_behavior),
      tax_category: given(input.tax_category, current.tax_category),
      place_of_supply: given(input.place_of_supply, current.place_of_supply),
      updated_at: yield* now
    }))
  })

  /** What `quantity` units of the SKU cost (pricing.ts `rate`): nothing is stored. */
  const quoteSku = Effect.fn("Catalog.quoteSku")(function* (_principal: Principal, id: string, quantity: string) {
    const sku = yield* findSku(id)
    const units = yield* Either.mapLeft(parseDecimal(quantity), (message) => ValidationError.of("quantity", message))
    if (BigDecimal.isNegative(units)) return yield* ValidationError.of("quantity", "must not be negative")
    const rating = rate(skuPriceModel(sku), units, sku.currency)
    return new Quote({
      sku_id: sku.id,
      quantity: units,
      currency: sku.currency,
      lines: rating.lines.map((line) => new QuoteLine(line)),
      unrounded: rating.unrounded,
      amount: money(rating.amount, sku.currency)
    })
  })

  return { createSku, listSkus, getSku, updateSku, quoteSku }
}
