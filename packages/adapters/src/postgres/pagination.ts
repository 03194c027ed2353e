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

/**
 * `and` the row's `columns` contain `search` (case-insensitive; `%`, `_` and `\` match
 * themselves), or its id is `search`: a list's `?search=`. Nothing when there is no search.
 */
export const searchClause = (
  sql: SqlClient,
  search: string | undefined,
  columns: ReadonlyArray<string>,
  idColumn = "id"
): Statement.Fragment => {
  if (search === undefined) return sql``
  const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const contains = columns.map((column) => sql`${sql(column)} ilike ${pattern}`)
  return sql`and (${sql(idColumn)} = ${search} or ${sql.or(contains)})`
}
