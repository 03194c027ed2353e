import type { Principal } from "@provisio/core/identity/model"
import { DEFAULT_LIMIT, MAX_LIMIT, type PageRequest, pageRequest } from "@provisio/core/shared/pagination"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { openCursor } from "./cursor-scope.js"
import { CurrentPrincipal } from "./middleware/authentication.js"

/**
 * `?limit=&cursor=` on every list. `limit` is read as text and checked by `pageRequest`, so
 * `abc` and `1000` answer alike: 422 naming the parameter. The document says what it takes.
 */
export const PageQuery = Schema.Struct({
  limit: Schema.optional(Schema.String.annotations({
    description: "How many items at most",
    jsonSchema: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }
  })),
  cursor: Schema.optional(Schema.String.annotations({
    description: "The next page: the `meta.page.next_cursor` of the page before, of this same list and filters"
  }))
})

/** A list that can be searched: `?search=` narrows it to what contains the text (or has it as id). */
export const SearchPageQuery = Schema.Struct({
  ...PageQuery.fields,
  search: Schema.optional(Schema.String.pipe(Schema.maxLength(100)).annotations({
    description: "Only the items whose name (for customers also `external_id` or `email`) contains this text, " +
      "in any case, or whose id it is",
    message: () => "must be at most 100 characters"
  }))
})

/** The search a query asks for; blank is none. */
export const searchOf = (query: typeof SearchPageQuery.Type) => query.search?.trim() || undefined

export const toPageRequest = (query: typeof PageQuery.Type) =>
  Effect.flatMap(query.cursor === undefined ? Effect.succeed(undefined) : openCursor(query.cursor), (cursor) =>
    pageRequest({
      limit: query.limit === undefined ? undefined : /^\d+$/.test(query.limit) ? Number(query.limit) : Number.NaN,
      cursor
    }))

/** Runs a list use case as the authenticated caller, with the page its query asks for. */
export const listAsCaller = <A, E, R>(
  query: typeof PageQuery.Type,
  useCase: (principal: Principal, page: PageRequest) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    return yield* useCase(yield* CurrentPrincipal, yield* toPageRequest(query))
  })
