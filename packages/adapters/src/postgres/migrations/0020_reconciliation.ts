import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Bank-transfer reconciliation (issue "Order-to-cash I"): imported statements, their lines, and
 * the transactions booked so far.
 *
 * - reconciliation_statements: one per import, unique per importing account and statement key
 *   (a hash: camt `Acct`/`Stmt/Id`s, CSV rows), so the same statement again finds the first import.
 * - reconciliation_lines: one per transaction, in the statement's order, with what came of it;
 *   `match_refs` (end-to-end id, transaction id, ...) is what a later return is recognised by.
 * - reconciliation_entries: the transactions each account booked, by key (a hash of the bank's
 *   references): the primary key makes a transaction booked once by an account, whatever
 *   statement brings it again, also when two imports run at once; an import also looks for the
 *   key among the accounts above and below the importer (their `lineage`), so a platform and its
 *   partner importing the same bank account never book a transfer twice.
 * - invoices get an index on their number's letters and digits, which is what references name.
 * - payments may be `reversed` (a transfer the bank returned).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table reconciliation_statements (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      lineage text[] not null,
      format text not null check (format in ('camt053', 'csv')),
      statement_key text not null,
      bank_account text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index reconciliation_statements_key on reconciliation_statements (account_id, statement_key)`
  yield* sql`create index reconciliation_statements_lineage on reconciliation_statements using gin (lineage)`
  yield* sql`
    create table reconciliation_lines (
      id text primary key,
      statement_id text not null references reconciliation_statements (id) on delete cascade,
      lineage text[] not null,
      position integer not null,
      entry_key text not null,
      booked_at timestamptz not null,
      amount numeric not null check (amount <> 0),
      currency text not null,
      reference text,
      counterparty text,
      bank_reference text,
      match_refs text[] not null default '{}',
      status text not null check (status in ('matched', 'partial', 'unmatched', 'ignored')),
      invoice_id text references invoices (id),
      payment_id text references payments (id),
      reversed_by text,
      duplicate_of text,
      note text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index reconciliation_lines_position on reconciliation_lines (statement_id, position)`
  // What a return looks for: credits that made a payment and were not returned yet.
  yield* sql`
    create index reconciliation_lines_returnable on reconciliation_lines using gin (match_refs)
     where payment_id is not null and amount > 0 and reversed_by is null`
  yield* sql`
    create table reconciliation_entries (
      account_id text not null references accounts (id) on delete cascade,
      entry_key text not null,
      lineage text[] not null,
      line_id text not null,
      primary key (account_id, entry_key)
    )`
  yield* sql`create index reconciliation_entries_key on reconciliation_entries (entry_key)`
  yield* sql`
    create index invoices_number_key on invoices ((upper(regexp_replace(number, '[^A-Za-z0-9]', '', 'g'))))
     where number is not null`
  yield* sql`alter table payments drop constraint payments_status_check`
  yield* sql`alter table payments add constraint payments_status_check check (status in ('succeeded', 'failed', 'reversed'))`
})
