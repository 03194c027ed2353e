import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Commission statements (issue 23): one per paid account, month and currency, so that finance
 * can mark a month's commission paid. While open a statement follows its commission (read
 * again from the month's invoices each time it is listed); settling freezes the amounts it was
 * paid on. The commission entries export names each entry's statement.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table commission_statements (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      lineage text[] not null,
      period text not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      currency text not null,
      net_revenue numeric not null,
      commission numeric not null,
      invoices integer not null,
      status text not null check (status in ('open', 'settled')),
      settled_at timestamptz,
      settled_by text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (account_id, period, currency)
    )`
  yield* sql`create index commission_statements_period on commission_statements (period, id)`
  yield* sql`create index commission_statements_lineage on commission_statements using gin (lineage)`
})
