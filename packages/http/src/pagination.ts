import { pageRequest } from "@provisio/core/shared/pagination"
import { Effect, Schema } from "effect"
import { BadRequest } from "./errors"

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
