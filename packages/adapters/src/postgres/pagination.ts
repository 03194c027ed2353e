import type * as Statement from "@effect/sql/Statement"
import type { SqlClient } from "@effect/sql/SqlClient"
import type { PageRequest } from "@provisio/core/shared/pagination"

/**
 * The tail of every list query: keyset on the time-sortable id, one row more than asked so
 * `toPage` can tell whether another page follows. Oldest first, unless `newestFirst`.
 */
export const pageClause = (sql: SqlClient, page: PageRequest, column = "id", newestFirst = false): Statement.Fragment => {
  const order = newestFirst ? sql`order by ${sql(column)} desc` : sql`order by ${sql(column)}`
  const after = newestFirst ? sql`and ${sql(column)} < ${page.after}` : sql`and ${sql(column)} > ${page.after}`
  return page.after === undefined ? sql`${order} limit ${page.limit + 1}` : sql`${after} ${order} limit ${page.limit + 1}`
}
