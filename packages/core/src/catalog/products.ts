import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Principal } from "../identity/model.js"
import { orNotFound } from "../shared/errors.js"
import { makeId } from "../shared/ids.js"
import { type PageRequest } from "../shared/pagination.js"
import {
  Availability,
  type AvailabilityInput,
  City,
  type CityId,
  type CreateProduct,
  Product,
  type ProductId,
  type UpdateProduct
} from "./model.js"
import { now } from "../shared/time.js"
import { changedReadOnlyField } from "../shared/read-only.js"
import { given, requireCatalogWriter, checkAvailability, checkCharacteristics, READ_ONLY_CATALOG_FIELDS } from "./rules.js"
import type { CatalogDeps } from "./deps.js"

/** Products: created, read and changed; where each is offered. */
export const makeProducts = ({ products, places, transactor }: CatalogDeps) => {
  const findProduct = (id: string) => products.findById(id).pipe(orNotFound("product", id))

  /** Each city named is looked up by country and name, and created the first time. */
  const resolveAvailability = (entries: ReadonlyArray<AvailabilityInput>, at: DateTime.Utc) =>
    Effect.forEach(entries, (entry) =>
      entry.city == null
        ? Effect.succeed(new Availability({ country: entry.country, city: null, city_id: null }))
        : Effect.gen(function* () {
          const city = yield* places.ensureCity(new City({
            id: (yield* makeId("cty")) as CityId,
            country: entry.country,
            name: entry.city!,
            created_at: at,
            updated_at: at
          }))
          return new Availability({ country: city.country, city: city.name, city_id: city.id })
        }))

  const createProduct = Effect.fn("Catalog.createProduct")(function* (principal: Principal, input: CreateProduct) {
    yield* requireCatalogWriter(principal)
    const entries = input.availability ?? []
    yield* checkAvailability(entries)
    const characteristics = yield* checkCharacteristics(input.characteristics ?? [])
    const id = (yield* makeId("prd")) as ProductId
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const availability = yield* resolveAvailability(entries, at)
      return yield* products.insert(new Product({
        id,
        name: input.name,
        type: input.type,
        availability,
        characteristics,
        created_at: at,
        updated_at: at
      }))
    }))
  })

  const listProducts = (_principal: Principal, page: PageRequest) => products.list(page)

  const getProduct = Effect.fn("Catalog.getProduct")(function* (_principal: Principal, id: string) {
    return yield* findProduct(id)
  })

  const updateProduct = Effect.fn("Catalog.updateProduct")(function* (
    principal: Principal,
    id: string,
    input: UpdateProduct
  ) {
    yield* requireCatalogWriter(principal)
    const current = yield* findProduct(id)
    const readOnly = changedReadOnlyField(input, READ_ONLY_CATALOG_FIELDS, () => Schema.encodeSync(Product)(current) as unknown as Record<string, unknown>)
    if (readOnly !== undefined) return yield* readOnly
    if (input.availability !== undefined) yield* checkAvailability(input.availability)
    const characteristics = input.characteristics === undefined
      ? current.characteristics
      : yield* checkCharacteristics(input.characteristics)
    const at = yield* now
    return yield* transactor.withTransaction(Effect.gen(function* () {
      const availability = input.availability === undefined
        ? current.availability
        : yield* resolveAvailability(input.availability, at)
      return yield* products.update(new Product({
        ...current,
        name: given(input.name, current.name),
        type: given(input.type, current.type),
        availability,
        characteristics,
        updated_at: at
      }))
    }))
  })

  return { createProduct, listProducts, getProduct, updateProduct }
}
