import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isCountryCode } from "../catalog/countries.js"
import type { Principal } from "../identity/model.js"
import { ValidationError } from "../shared/errors.js"
import { encodeCursor, type Page, type PageRequest } from "../shared/pagination.js"
import {
  AddedNumbers,
  type AddNumbers,
  E164_MESSAGE,
  expandRange,
  isE164,
  MAX_NUMBERS_PER_CALL,
  type NumberQuery,
  type PhoneNumber
} from "./model.js"
import { type NumberFilter, type Placement } from "./ports.js"
import { now } from "../shared/time.js"
import type { NumbersContext } from "./context.js"
import { DIGITS, NUMBER_CURSOR, PREFIX, requireNumberAdmin, type Resolved } from "./rules.js"
import type { ImportBatch, NumberRow, RejectedRow, RowOutcome } from "./file-rows.js"

/** The number inventory: numbers added (one call, or a file in batches) and searched. */
export const makeInventory = ({ places, numbers, transactor, resolvePlacement, distinct }: NumbersContext) => {
  /**
   * `POST /numbers`: a list or a range of numbers at one placement, added in one statement.
   * Numbers already in the inventory (or listed twice) are reported, not added again.
   */
  const addNumbers = Effect.fn("Numbers.addNumbers")(function* (principal: Principal, input: AddNumbers) {
    yield* requireNumberAdmin(principal)
    let list: ReadonlyArray<string>
    if (input.numbers !== undefined && input.range !== undefined) {
      return yield* ValidationError.of("range", "send either numbers or range, not both")
    } else if (input.range !== undefined) {
      const expanded = expandRange(input.range.from, input.range.to, MAX_NUMBERS_PER_CALL)
      if ("field" in expanded) return yield* ValidationError.of(expanded.field, expanded.message)
      list = expanded.numbers
    } else if (input.numbers !== undefined && input.numbers.length > 0) {
      list = input.numbers
    } else {
      return yield* ValidationError.of("numbers", "send the numbers to add (or a range: {from, to})")
    }
    const resolved = yield* resolvePlacement(input.product_id, input.country, input.city)
    if ("field" in resolved) return yield* ValidationError.of(resolved.field, resolved.reason)
    const { first, repeats } = distinct(list, (n) => n)
    const added = new Set(yield* numbers.insert(resolved.placement, first, yield* now))
    return new AddedNumbers({
      added: added.size,
      already_present: [...first.filter((n) => !added.has(n)), ...repeats]
    })
  })

  /**
   * An importer of number files (`provisio numbers import`): each call adds one batch of rows,
   * one statement per placement in it, and says what became of every row. Placements are looked
   * up once per import. Rows are checked one by one: a bad row is rejected with its reason, the
   * others go in.
   */
  const numberImporter = (principal: Principal) =>
    Effect.gen(function* () {
      yield* requireNumberAdmin(principal)
      const resolved = new Map<string, Resolved>()
      return (rows: ReadonlyArray<NumberRow>) =>
        Effect.gen(function* () {
          const rejected: Array<RejectedRow> = []
          const already: Array<RowOutcome> = []
          const groups = new Map<string, { placement: Placement; rows: Array<NumberRow> }>()
          for (const row of rows) {
            const reject = (field: string, reason: string) =>
              rejected.push({ line: row.line, number: row.number, field, reason })
            if (!isE164(row.number)) {
              reject("number", E164_MESSAGE)
              continue
            }
            if (row.product_id === "") {
              reject("product_id", "is missing: give the row a product_id or the import a --product")
              continue
            }
            const country = row.country.trim().toUpperCase()
            if (!isCountryCode(country)) {
              reject("country", "must be an ISO 3166-1 alpha-2 country code, e.g. \"DE\"")
              continue
            }
            const key = `${row.product_id}\u0000${country}\u0000${(row.city ?? "").trim().toLowerCase()}`
            let place = resolved.get(key)
            if (place === undefined) {
              place = yield* resolvePlacement(row.product_id, country, row.city)
              resolved.set(key, place)
            }
            if ("field" in place) {
              reject(place.field, place.reason)
              continue
            }
            const group = groups.get(key) ?? { placement: place.placement, rows: [] }
            group.rows.push(row)
            groups.set(key, group)
          }
          let added = 0
          if (groups.size > 0) {
            const at = yield* now
            yield* transactor.withTransaction(Effect.forEach(groups.values(), (group) =>
              Effect.gen(function* () {
                const { first, repeats } = distinct(group.rows, (row) => row.number)
                const inserted = new Set(yield* numbers.insert(group.placement, first.map((row) => row.number), at))
                added += inserted.size
                for (const row of first) if (!inserted.has(row.number)) already.push({ line: row.line, number: row.number })
                for (const row of repeats) already.push({ line: row.line, number: row.number })
              }), { discard: true }))
          }
          already.sort((a, b) => a.line - b.line)
          return { added, already_present: already, rejected } satisfies ImportBatch
        })
    })

  /**
   * Available numbers, in number order: a number held by a reservation that has expired is
   * available again, with nothing run to free it. Every criterion is optional.
   */
  const searchNumbers = Effect.fn("Numbers.searchNumbers")(function* (
    _principal: Principal,
    query: NumberQuery,
    page: PageRequest
  ) {
    const empty: Page<PhoneNumber> = { items: [], limit: page.limit, next_cursor: null }
    let country: string | undefined
    if (query.country !== undefined && query.country !== "") {
      country = query.country.toUpperCase()
      if (!isCountryCode(country)) {
        return yield* ValidationError.of("country", "must be an ISO 3166-1 alpha-2 country code, e.g. \"DE\"")
      }
    }
    let cityId: string | undefined
    if (query.city !== undefined && query.city !== "") {
      if (query.city.startsWith("cty_")) cityId = query.city
      else if (country === undefined) {
        return yield* ValidationError.of("city", "a city name needs country= as well; or pass the city's id (cty_...)")
      } else {
        const city = yield* places.findCityByName(country, query.city.trim())
        if (Option.isNone(city)) return empty
        cityId = city.value.id
      }
    }
    if (query.contains !== undefined && !DIGITS.test(query.contains)) {
      return yield* ValidationError.of("contains", "must be 1 to 15 digits, found anywhere in the number")
    }
    if (query.starts_with !== undefined && !PREFIX.test(query.starts_with)) {
      return yield* ValidationError.of("starts_with", "must be \"+\" and 1 to 15 digits: the number's beginning")
    }
    let after: string | undefined
    if (page.after !== undefined) {
      const match = NUMBER_CURSOR.exec(page.after)
      if (match === null) return yield* ValidationError.of("cursor", "is not a cursor this API returned")
      after = `+${match[1]}`
    }
    const filter: NumberFilter = {
      product_id: query.product_id === "" ? undefined : query.product_id,
      country,
      city_id: cityId,
      contains: query.contains === "" ? undefined : query.contains,
      starts_with: query.starts_with === undefined || query.starts_with === ""
        ? undefined
        : `+${query.starts_with.replace(/^\+/, "")}`
    }
    const rows = yield* numbers.searchAvailable(filter, yield* now, after, page.limit + 1)
    const items = rows.slice(0, page.limit)
    const last = items[items.length - 1]
    return {
      items,
      limit: page.limit,
      next_cursor: rows.length > page.limit && last !== undefined ? encodeCursor(`num_${last.number.slice(1)}`) : null
    } satisfies Page<PhoneNumber>
  })

  return { addNumbers, numberImporter, searchNumbers }
}
