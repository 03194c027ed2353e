import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { PersistenceError } from "../shared/errors.js"
import type { Page, PageRequest } from "../shared/pagination.js"
import type { DuplicatePlan, DuplicateProduct, DuplicateSku } from "./errors.js"
import type { City, Plan, Product, Sku } from "./model.js"

export class ProductRepo extends Context.Tag("@provisio/core/ProductRepo")<ProductRepo, {
  /**
   * Stores the product with its availability; every `city_id` in it must be a stored city
   * (`PlaceRepo.ensureCity`). Fails with `DuplicateProduct` when the name is taken.
   */
  readonly insert: (product: Product) => Effect.Effect<Product, DuplicateProduct | PersistenceError>
  /** Writes every field but `id` and `created_at`, replacing the availability. */
  readonly update: (product: Product) => Effect.Effect<Product, DuplicateProduct | PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<Product>, PersistenceError>
  /** The product with this name, whatever its case. */
  readonly findByName: (name: string) => Effect.Effect<Option.Option<Product>, PersistenceError>
  readonly list: (page: PageRequest) => Effect.Effect<Page<Product>, PersistenceError>
}>() {}

/** Countries and cities, as far as products are offered in them. */
export class PlaceRepo extends Context.Tag("@provisio/core/PlaceRepo")<PlaceRepo, {
  /**
   * The stored city with the candidate's country and name (whatever its case), inserting the
   * candidate when there is none. Safe under concurrent calls for the same city.
   */
  readonly ensureCity: (candidate: City) => Effect.Effect<City, PersistenceError>
  /** Codes of the countries where a product is offered, ascending, after `after`, at most `limit`. */
  readonly offeredCountries: (
    after: string | undefined,
    limit: number
  ) => Effect.Effect<ReadonlyArray<string>, PersistenceError>
  readonly isCountryOffered: (code: string) => Effect.Effect<boolean, PersistenceError>
  /** Cities of the country where a product is offered. */
  readonly offeredCities: (country: string, page: PageRequest) => Effect.Effect<Page<City>, PersistenceError>
  readonly findOfferedCity: (country: string, id: string) => Effect.Effect<Option.Option<City>, PersistenceError>
  /** The stored city of the country with this name, whatever its case (offered or not). */
  readonly findCityByName: (country: string, name: string) => Effect.Effect<Option.Option<City>, PersistenceError>
}>() {}

export class SkuRepo extends Context.Tag("@provisio/core/SkuRepo")<SkuRepo, {
  /** Fails with `DuplicateSku` when the code is taken. */
  readonly insert: (sku: Sku) => Effect.Effect<Sku, DuplicateSku | PersistenceError>
  /** Writes every field but `id` and `created_at`, replacing the tiers. */
  readonly update: (sku: Sku) => Effect.Effect<Sku, DuplicateSku | PersistenceError>
  readonly findById: (id: string) => Effect.Effect<Option.Option<Sku>, PersistenceError>
  /** The SKU with this code, whatever its case. */
  readonly findByCode: (code: string) => Effect.Effect<Option.Option<Sku>, PersistenceError>
  /** The SKUs among `ids` that exist, in no particular order. */
  readonly findByIds: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Sku>, PersistenceError>
  readonly list: (page: PageRequest) => Effect.Effect<Page<Sku>, PersistenceError>
}>() {}

export interface PlanFilter {
  readonly product_id?: string | undefined
}

/**
 * Plans, one stored row per version. Versions are never rewritten, but for their status at
 * publishing.
 */
export class PlanRepo extends Context.Tag("@provisio/core/PlanRepo")<PlanRepo, {
  /** A new plan, as its version 1. Fails with `DuplicatePlan` when the name is taken. */
  readonly insert: (plan: Plan) => Effect.Effect<Plan, DuplicatePlan | PersistenceError>
  /**
   * Adds `plan.version` (the latest version plus one) to an existing plan; the plan's name is
   * the new version's. Fails with `DuplicatePlan` when another plan has that name.
   */
  readonly addVersion: (plan: Plan) => Effect.Effect<Plan, DuplicatePlan | PersistenceError>
  /** Marks `version` published and the version published before it retired. */
  readonly publish: (id: string, version: number, at: DateTime.Utc) => Effect.Effect<Plan, PersistenceError>
  /**
   * Holds the plan until the transaction ends, so version changes of one plan happen one at a
   * time. Run it in a transaction; answers whether the plan exists.
   */
  readonly lock: (id: string) => Effect.Effect<boolean, PersistenceError>
  readonly findLatest: (id: string) => Effect.Effect<Option.Option<Plan>, PersistenceError>
  readonly findVersion: (id: string, version: number) => Effect.Effect<Option.Option<Plan>, PersistenceError>
  /** The plan whose (latest) name is this, whatever its case. */
  readonly findByName: (name: string) => Effect.Effect<Option.Option<Plan>, PersistenceError>
  /** The latest versions of the plans among `ids` that exist, in no particular order. */
  readonly findLatestByIds: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Plan>, PersistenceError>
  /** Whether any version of any plan meters the SKU. */
  readonly usesSku: (skuId: string) => Effect.Effect<boolean, PersistenceError>
  /** The latest version of each plan. */
  readonly list: (filter: PlanFilter, page: PageRequest) => Effect.Effect<Page<Plan>, PersistenceError>
}>() {}
