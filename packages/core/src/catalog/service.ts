import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Principal } from "../identity/model.js"
import { Transactor } from "../shared/transactor.js"
import { type CatalogFile, type ImportItem, makeImporter } from "./catalog-file.js"
import { PlaceRepo, PlanRepo, ProductRepo, SkuRepo } from "./ports.js"
import { requireCatalogWriter } from "./rules.js"
import { makeProducts } from "./products.js"
import { makePlaces } from "./places.js"
import { makeSkus } from "./skus.js"
import { makePlans } from "./plans.js"

export { requireCatalogWriter } from "./rules.js"

/**
 * The catalog, one file per job: products.ts, places.ts, skus.ts, plans.ts (rules.ts holds the
 * checks they share); here they are given their ports once, and catalog files are imported
 * through them.
 */
export const make = Effect.gen(function* () {
  const products = yield* ProductRepo
  const places = yield* PlaceRepo
  const skus = yield* SkuRepo
  const plans = yield* PlanRepo
  const transactor = yield* Transactor
  const deps = { products, places, skus, plans, transactor }
  const { createProduct, getProduct, listProducts, updateProduct } = makeProducts(deps)
  const { createSku, getSku, listSkus, quoteSku, updateSku } = makeSkus(deps)
  const { createPlan, getPlan, listPlans, publishPlan, updatePlan } = makePlans(deps)

  const runImport = makeImporter({
    findProductByName: products.findByName,
    findSkuByCode: skus.findByCode,
    findPlanByName: plans.findByName,
    createProduct,
    updateProduct,
    createSku,
    updateSku,
    createPlan,
    updatePlan,
    publishPlan
  })

  /**
   * Creates or updates the file's SKUs (by code), products (by name) and plans (by name), in one
   * transaction: all of it or nothing. What already matches the file is left alone, so importing
   * the same file again changes nothing. `onItem` hears about each item as it is done.
   */
  const importCatalog = <R = never>(
    principal: Principal,
    file: CatalogFile,
    onItem?: (item: ImportItem) => Effect.Effect<void, never, R>
  ) =>
    Effect.zipRight(
      requireCatalogWriter(principal),
      transactor.withTransaction(runImport(principal, file, onItem))
    ).pipe(Effect.withSpan("Catalog.importCatalog"))

  return {
    createProduct,
    listProducts,
    getProduct,
    updateProduct,
    ...makePlaces(deps),
    createSku,
    listSkus,
    getSku,
    updateSku,
    quoteSku,
    createPlan,
    listPlans,
    getPlan,
    updatePlan,
    publishPlan,
    importCatalog
  } as const
})

export class Catalog extends Context.Tag("@provisio/core/Catalog")<Catalog, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Catalog, make)
}
