import type { SqlClient } from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"

/**
 * Invoice numbers: one gapless series per issuer and year (`INV-2026-000001`), shared by its
 * customers' invoices and its upstream invoices.
 */

/** Digits of a number: at least six, and more once a year needs them. */
const NUMBER_DIGITS = 6

/**
 * The body of a CTE answering (issuer_account_id, last_number): each issuer among the rows of the
 * CTE `from` (its issuer in column `issuer`) takes its next numbers of `year`, one per row. The
 * sequence's row stays locked until commit, which is what makes the numbers gapless; issuers are
 * taken in order, so concurrent transactions cannot deadlock.
 */
export const takeNumbersSql = (sql: SqlClient, from: string, issuer: string, year: number): Statement.Fragment => sql`
  insert into invoice_number_sequences (issuer_account_id, year, last_number)
  select ${sql(issuer)}, ${year}, count(*) from ${sql(from)} group by ${sql(issuer)} order by ${sql(issuer)}
  on conflict (issuer_account_id, year)
    do update set last_number = invoice_number_sequences.last_number + excluded.last_number
  returning issuer_account_id, last_number`

/** The number of `year` whose place in the series is the text expression `n`. */
export const invoiceNumberSql = (sql: SqlClient, year: number, n: string): Statement.Fragment =>
  sql`'INV-' || ${year} || '-' || lpad(${sql.unsafe(n)}, greatest(${NUMBER_DIGITS}, length(${sql.unsafe(n)})), '0')`
