import { Options } from "@effect/cli"
import { pageRequest } from "@provisio/core/shared/pagination"
import { Option } from "effect"

/** `--limit` and `--cursor`, as the API's `?limit=&cursor=`. */
export const pageOptions = {
  limit: Options.integer("limit").pipe(Options.withDescription("At most this many (1 to 200, default 50)"), Options.optional),
  cursor: Options.text("cursor").pipe(Options.withDescription("The next page, as a list printed it"), Options.optional)
}

export const pageOf = (options: { readonly limit: Option.Option<number>; readonly cursor: Option.Option<string> }) =>
  pageRequest({ limit: Option.getOrUndefined(options.limit), cursor: Option.getOrUndefined(options.cursor) })
