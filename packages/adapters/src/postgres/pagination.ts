import type * as Statement from "@effect/sql/Statement"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { PageRequest } from "@provisio/core/shared/pagination"

/**
 * The tail of every list query: keyset on the time-sortable id, one row more than asked so
 * `toPage` can tell whether another page follows.
 */
export const pageClause = (sql: SqlClient, page: PageRequest, column = "id"): Statement.Fragment =>
  page.after === undefined
    ? sql`order by ${sql(column)} limit ${page.limit + 1}`
    : sql`and ${sql(column)} > ${page.after} order by ${sql(column)} limit ${page.limit + 1}`
