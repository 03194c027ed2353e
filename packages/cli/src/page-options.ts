import * as Options from "@effect/cli/Options"

/** `--limit` and `--cursor`, as the API's `?limit=&cursor=` (read by `pageOf` when the command runs). */
export const pageOptions = {
  limit: Options.integer("limit").pipe(Options.withDescription("At most this many (1 to 200, default 50)"), Options.optional),
  cursor: Options.text("cursor").pipe(Options.withDescription("The next page, as a list printed it"), Options.optional)
}
