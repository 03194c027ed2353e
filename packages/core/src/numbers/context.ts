import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Product } from "../catalog/model.js"
import { PlaceRepo, ProductRepo } from "../catalog/ports.js"
import { CustomerRepo } from "../customers/ports.js"
import { Transactor } from "../shared/transactor.js"
import { ReservationTtlMinutes } from "./config.js"
import { NumberRepo, ReservationRepo } from "./ports.js"

import { type Resolved } from "./rules.js"

/** What the jobs of Numbers share: the ports they use and the helpers over them. */
export interface NumbersDeps {
  readonly products: Context.Tag.Service<typeof ProductRepo>
  readonly places: Context.Tag.Service<typeof PlaceRepo>
  readonly customers: Context.Tag.Service<typeof CustomerRepo>
  readonly numbers: Context.Tag.Service<typeof NumberRepo>
  readonly reservations: Context.Tag.Service<typeof ReservationRepo>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly defaultTtl: Context.Tag.Service<typeof ReservationTtlMinutes>
}

export const makeCommon = (deps: NumbersDeps) => {
  const { products } = deps

  /**
   * Where numbers of `productId` may go: a `phone_number` product, a country of its
   * availability, and a city it names in that country (by id or name, whatever its case).
   */
  const placementOf = (product: Product, country: string, city: string | null | undefined): Resolved => {
    if (product.type !== "phone_number") {
      return {
        field: "product_id",
        reason: `product ${product.id} is a ${product.type} product; numbers belong to phone_number products`
      }
    }
    const entries = product.availability.filter((entry) => entry.country === country)
    if (entries.length === 0) {
      const countries = [...new Set(product.availability.map((entry) => entry.country))]
      return {
        field: "country",
        reason: `product ${product.id} is not offered in ${country}` +
          (countries.length > 0 ? `; it is offered in ${countries.join(", ")}` : "; it is offered nowhere yet")
      }
    }
    const wanted = city?.trim() ?? ""
    if (wanted === "") return { placement: { product_id: product.id, country, city_id: null } }
    const match = entries.find((entry) =>
      entry.city_id === wanted || (entry.city !== null && entry.city.toLowerCase() === wanted.toLowerCase())
    )
    if (match === undefined || match.city_id === null) {
      const cities = entries.flatMap((entry) => (entry.city === null ? [] : [entry.city]))
      return {
        field: "city",
        reason: `product ${product.id} is not offered in the city "${wanted}" of ${country}` +
          (cities.length > 0 ? `; its cities there: ${cities.join(", ")}` : "; it names no city there")
      }
    }
    return { placement: { product_id: product.id, country, city_id: match.city_id } }
  }

  const resolvePlacement = (productId: string, country: string, city: string | null | undefined) =>
    Effect.map(products.findById(productId), (product): Resolved =>
      Option.isNone(product)
        ? { field: "product_id", reason: `product ${productId} does not exist` }
        : placementOf(product.value, country, city))

  /**
   * The distinct numbers (first occurrence kept) and the repeats: a repeat is reported as already
   * present, since its first occurrence is.
   */
  const distinct = <A>(items: ReadonlyArray<A>, key: (item: A) => string) => {
    const seen = new Set<string>()
    const first: Array<A> = []
    const repeats: Array<A> = []
    for (const item of items) {
      const k = key(item)
      if (seen.has(k)) repeats.push(item)
      else {
        seen.add(k)
        first.push(item)
      }
    }
    return { first, repeats }
  }

  return { placementOf, resolvePlacement, distinct }
}

export type NumbersContext = NumbersDeps & ReturnType<typeof makeCommon>
