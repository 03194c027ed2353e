import * as Effect from "effect/Effect"
import type { Principal } from "../identity/model.js"
import { NotFound, orNotFound, ValidationError } from "../shared/errors.js"
import { encodeCursor, type Page, type PageRequest } from "../shared/pagination.js"
import { countryName, isCountryCode } from "./countries.js"
import { Country } from "./model.js"
import { COUNTRY_CURSOR } from "./rules.js"
import type { CatalogDeps } from "./deps.js"

/** Countries and cities where products are offered. */
export const makePlaces = ({ places }: CatalogDeps) => {
  /** A country some product is offered in; any other code (assigned or not) is "not found". */
  const findCountry = (code: string) =>
    Effect.gen(function* () {
      const upper = code.toUpperCase()
      if (!isCountryCode(upper) || !(yield* places.isCountryOffered(upper))) {
        return yield* NotFound.of("country", code)
      }
      return new Country({ code: upper, name: countryName(upper) })
    })

  /** Paged by code: the cursor is the last code seen (ids elsewhere; countries have none). */
  const listCountries = Effect.fn("Catalog.listCountries")(function* (_principal: Principal, page: PageRequest) {
    let after: string | undefined
    if (page.after !== undefined) {
      const match = COUNTRY_CURSOR.exec(page.after)
      if (match === null) return yield* ValidationError.of("cursor", "is not a cursor this API returned")
      after = match[1]!.toUpperCase()
    }
    const codes = yield* places.offeredCountries(after, page.limit + 1)
    const items = codes.slice(0, page.limit).map((code) => new Country({ code, name: countryName(code) }))
    const last = items[items.length - 1]
    return {
      items,
      limit: page.limit,
      next_cursor: codes.length > page.limit && last !== undefined
        ? encodeCursor(`country_${last.code.toLowerCase()}`)
        : null
    } satisfies Page<Country>
  })

  const getCountry = Effect.fn("Catalog.getCountry")(function* (_principal: Principal, code: string) {
    return yield* findCountry(code)
  })

  const listCities = Effect.fn("Catalog.listCities")(function* (
    _principal: Principal,
    countryCode: string,
    page: PageRequest
  ) {
    const country = yield* findCountry(countryCode)
    return yield* places.offeredCities(country.code, page)
  })

  const getCity = Effect.fn("Catalog.getCity")(function* (_principal: Principal, countryCode: string, id: string) {
    const country = yield* findCountry(countryCode)
    return yield* places.findOfferedCity(country.code, id).pipe(orNotFound("city", id))
  })

  return { listCountries, getCountry, listCities, getCity }
}
