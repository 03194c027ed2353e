import type { Principal } from "@provisio/core/identity/model"
import { type PageRequest, pageRequest } from "@provisio/core/shared/pagination"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { BadRequest } from "./errors.js"
import { CurrentPrincipal } from "./middleware/authentication.js"

/** `?limit=&cursor=` on every list. Read as text so a wrong type answers 400 naming the parameter. */
export const PageQuery = Schema.Struct({
  limit: Schema.optional(Schema.String),
  cursor: Schema.optional(Schema.String)
})

export const toPageRequest = (query: typeof PageQuery.Type) =>
  Effect.gen(function* () {
    if (query.limit !== undefined && !/^\d+$/.test(query.limit)) {
      return yield* new BadRequest({ field: "limit", message: "must be an integer" })
    }
    return yield* pageRequest({
      limit: query.limit === undefined ? undefined : Number(query.limit),
      cursor: query.cursor
    })
  })

/** Runs a list use case as the authenticated caller, with the page its query asks for. */
export const listAsCaller = <A, E, R>(
  query: typeof PageQuery.Type,
  useCase: (principal: Principal, page: PageRequest) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    return yield* useCase(yield* CurrentPrincipal, yield* toPageRequest(query))
  })
