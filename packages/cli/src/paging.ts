import { type Page, pageRequest } from "@provisio/core/shared/pagination"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** What `--limit` and `--cursor` (page-options.ts) parse to. */
export interface PageOptions {
  readonly limit: Option.Option<number>
  readonly cursor: Option.Option<string>
}

export const pageOf = (options: PageOptions) =>
  pageRequest({ limit: Option.getOrUndefined(options.limit), cursor: Option.getOrUndefined(options.cursor) })

/** A page as lines, "No <things>." when it is empty, and how to ask for the next one. */
export const printPage = <A>(page: Page<A>, line: (item: A) => string, things: string) =>
  Effect.gen(function* () {
    if (page.items.length === 0) yield* Console.log(`No ${things}.`)
    for (const item of page.items) yield* Console.log(line(item))
    if (page.next_cursor !== null) yield* Console.log(`more: --cursor ${page.next_cursor}`)
  })
