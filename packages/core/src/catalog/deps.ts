import type * as Context from "effect/Context"
import type { Transactor } from "../shared/transactor.js"
import type { PlaceRepo, PlanRepo, ProductRepo, SkuRepo } from "./ports.js"

/** The ports the catalog's jobs use. */
export interface CatalogDeps {
  readonly products: Context.Tag.Service<typeof ProductRepo>
  readonly places: Context.Tag.Service<typeof PlaceRepo>
  readonly skus: Context.Tag.Service<typeof SkuRepo>
  readonly plans: Context.Tag.Service<typeof PlanRepo>
  readonly transactor: Context.Tag.Service<typeof Transactor>
}
