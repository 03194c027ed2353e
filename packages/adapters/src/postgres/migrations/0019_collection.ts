import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Collection (issue "Order-to-cash I"): how a customer pays and when, what was tried, and the
 * dunning that follows an unpaid invoice.
 *
 * - customers: `collection_method` and `payment_terms_days` as set (null = the default: the
 *   default payment method decides the first, the issuer's settings the second), `dunning`
 *   (`paused` skips the customer) and the stage it reached.
 * - invoices: when they fall due (set at finalization), how they are collected, `disputed`, the
 *   next automatic charge (`next_charge_at`, the durable to-do a collector claims, committed with
 *   the finalization: an outbox row, not a call made inline) and whether `invoice.overdue` was raised.
 * - payment_attempts: every charge tried, whatever came of it.
 * - dunning_policies: an account's own policy; the effective one falls back up the lineage.
 * - account_settings gains `billing` (payment terms).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    alter table customers
      add column collection_method text check (collection_method in ('charge_automatically', 'send_invoice')),
      add column payment_terms_days integer check (payment_terms_days between 0 and 365),
      add column dunning text not null default 'active' check (dunning in ('active', 'paused')),
      add column dunning_stage text check (dunning_stage in ('reminder', 'warning', 'suspend', 'terminate')),
      add column dunning_stage_at timestamptz`
  yield* sql`
    alter table invoices
      add column due_at timestamptz,
      add column due_date date,
      add column collection_method text check (collection_method in ('charge_automatically', 'send_invoice')),
      add column disputed boolean not null default false,
      add column next_charge_at timestamptz,
      add column charge_failures integer not null default 0,
      add column overdue_at timestamptz`
  // What collectors claim: automatic charges coming due.
  yield* sql`create index invoices_charges_due on invoices (next_charge_at) where next_charge_at is not null`
  // What dunning walks: finalized invoices that still owe money, by due date.
  yield* sql`create index invoices_open_due on invoices (due_at) where status = 'finalized'`
  yield* sql`
    create table payment_attempts (
      id text primary key,
      invoice_id text not null references invoices (id) on delete cascade,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      gateway text not null,
      payment_method_id text,
      amount numeric not null check (amount > 0),
      currency text not null,
      status text not null check (status in ('pending', 'succeeded', 'failed')),
      decline_code text,
      failure_reason text,
      gateway_reference text,
      payment_id text references payments (id),
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index payment_attempts_invoice on payment_attempts (invoice_id, created_at)`
  yield* sql`create unique index payment_attempts_reference on payment_attempts (gateway, gateway_reference) where gateway_reference is not null`
  yield* sql`
    create table dunning_policies (
      account_id text primary key references accounts (id) on delete cascade,
      retry_days integer[] not null,
      stages jsonb not null,
      bill_while_suspended boolean not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`alter table account_settings add column billing jsonb not null default '{}'`
})
