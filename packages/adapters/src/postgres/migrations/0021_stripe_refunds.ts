import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Card gateways and refunds (issue "Order-to-cash I"):
 * - refunds: money of a payment given back through its gateway, `pending` until the gateway
 *   confirms it, with the credit note (source `refund`) that takes it off the invoice;
 * - credit notes gain source `refund`, the ledger kind `refund` (+amount: money given back);
 * - gateway_webhook_events: the gateway events processed, so a duplicate changes nothing;
 * - payments are found by their gateway reference (a webhook names the charge).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table refunds (
      id text primary key,
      payment_id text not null references payments (id),
      invoice_id text not null references invoices (id),
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      amount numeric not null check (amount > 0),
      currency text not null,
      gateway text not null,
      gateway_reference text,
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      failure_reason text,
      credit_note_id text references credit_notes (id),
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index refunds_payment on refunds (payment_id, created_at)`
  yield* sql`create unique index refunds_reference on refunds (gateway, gateway_reference) where gateway_reference is not null`
  yield* sql`create index payments_reference on payments (gateway, gateway_reference) where gateway_reference is not null`
  yield* sql`
    create table gateway_webhook_events (
      gateway text not null,
      event_id text not null,
      type text not null,
      processed_at timestamptz not null,
      primary key (gateway, event_id)
    )`
  yield* sql`alter table credit_notes drop constraint credit_notes_source_check`
  yield* sql`
    alter table credit_notes add constraint credit_notes_source_check
      check (source in ('manual', 'overpayment', 'void', 'refund'))`
  yield* sql`alter table ledger_entries drop constraint ledger_entries_kind_check`
  yield* sql`
    alter table ledger_entries add constraint ledger_entries_kind_check
      check (kind in ('invoice', 'void', 'payment', 'credit_note', 'refund'))`
})
