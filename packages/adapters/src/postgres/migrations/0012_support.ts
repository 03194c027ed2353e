import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Support: tickets of a customer (with the customer's lineage, for scope) and their comments;
 * internal comments are the channel's and never shown to the customer.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table tickets (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      subject text not null,
      description text not null,
      priority text not null check (priority in ('low', 'normal', 'high', 'urgent')),
      status text not null check (status in ('open', 'pending', 'resolved', 'closed')),
      category text,
      created_by text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index tickets_lineage on tickets using gin (lineage)`
  yield* sql`create index tickets_customer on tickets (customer_id, id)`
  yield* sql`
    create table ticket_comments (
      id text primary key,
      ticket_id text not null references tickets (id) on delete cascade,
      body text not null,
      author_user_id text,
      author_api_key_id text,
      author_account_id text not null,
      author_account_kind text not null,
      internal boolean not null default false,
      created_at timestamptz not null
    )`
  yield* sql`create index ticket_comments_ticket on ticket_comments (ticket_id, id)`
})
