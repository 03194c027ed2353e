import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ValidationError } from "./errors.js"

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 200

/** What a list asks for: at most `limit` items after the item the cursor points at. */
export class PageRequest extends Schema.Class<PageRequest>("PageRequest")({
  limit: Schema.Int.pipe(Schema.between(1, MAX_LIMIT)),
  after: Schema.optional(Schema.String)
}) {}

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly limit: number
  readonly next_cursor: string | null
}


// Cursors are the last id seen, encoded so clients treat them as opaque. Ids only grow, so a
// cursor stays valid however many rows are inserted before or after it.
export const encodeCursor = (id: string): string => Encoding.encodeBase64Url(id)

export const decodeCursor = (cursor: string): Effect.Effect<string, ValidationError> =>
  Either.match(Encoding.decodeBase64UrlString(cursor), {
    onLeft: () => Effect.fail(ValidationError.of("cursor", "is not a cursor this API returned")),
    onRight: (id) =>
      /^[a-z]+_[0-9a-z]+$/.test(id)
        ? Effect.succeed(id)
        : Effect.fail(ValidationError.of("cursor", "is not a cursor this API returned"))
  })

/** Turns the query's `limit` and `cursor` into a request the repositories understand. */
export const pageRequest = (query: { readonly limit?: number | undefined; readonly cursor?: string | undefined }) =>
  Effect.gen(function* () {
    const limit = query.limit ?? DEFAULT_LIMIT
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return yield* ValidationError.of("limit", `must be an integer from 1 to ${MAX_LIMIT}`)
    }
    const after = query.cursor === undefined ? undefined : yield* decodeCursor(query.cursor)
    return new PageRequest({ limit, after })
  })

/**
 * Repositories fetch `limit + 1` rows ordered by id; the extra row only tells that another page
 * exists.
 */
export const toPage = <A extends { readonly id: string }>(rows: ReadonlyArray<A>, request: PageRequest): Page<A> => {
  const items = rows.slice(0, request.limit)
  const last = items[items.length - 1]
  return {
    items,
    limit: request.limit,
    next_cursor: rows.length > request.limit && last !== undefined ? encodeCursor(last.id) : null
  }
}
