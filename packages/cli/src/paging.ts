import { pageRequest } from "@provisio/core/shared/pagination"
import * as Option from "effect/Option"

/** What `--limit` and `--cursor` (page-options.ts) parse to. */
export interface PageOptions {
  readonly limit: Option.Option<number>
  readonly cursor: Option.Option<string>
}

export const pageOf = (options: PageOptions) =>
  pageRequest({ limit: Option.getOrUndefined(options.limit), cursor: Option.getOrUndefined(options.cursor) })
