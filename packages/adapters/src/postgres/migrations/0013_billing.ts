import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Usage, billing runs, invoices, payments, credit notes, the customer ledger and commission
 * rules (issue 7). Money columns are NUMERIC, never floats; `period` is a calendar month
 * `YYYY-MM`; periods of a subscription are half-open `[period_start, period_end)`.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Usage -------------------------------------------------------------------------------------
  // No foreign keys and a bigint key: ingestion is bulk work and checks the references itself
  // in one query per batch. `period_start` is the start of the subscription's billing period
  // the record falls in, computed at ingestion: billing and thresholds group by it.
  yield* sql`
    create table usage_records (
      id bigint generated always as identity primary key,
      customer_id text not null,
      transaction_id text not null,
      subscription_id text not null,
      sku_id text not null,
      quantity numeric not null check (quantity >= 0),
      occurred_at timestamptz not null,
      period_start timestamptz not null,
      received_at timestamptz not null
    )`
  // A replayed transaction id is a duplicate, even when two copies arrive at once.
  yield* sql`create unique index usage_records_transaction on usage_records (customer_id, transaction_id)`
  yield* sql`create index usage_records_period on usage_records (subscription_id, period_start, sku_id)`
  // Running totals per subscription, SKU and period, kept by ingestion for the SKUs with
  // thresholds: the total before and after a batch comes from one upsert, not from summing
  // every earlier record, and the upserted row serializes two batches of one group.
  yield* sql`
    create table usage_totals (
      subscription_id text not null,
      sku_id text not null,
      period_start timestamptz not null,
      quantity numeric not null,
      primary key (subscription_id, sku_id, period_start)
    )`
  // Each threshold is raised once per subscription, SKU and period: the primary key says so.
  yield* sql`
    create table usage_threshold_crossings (
      subscription_id text not null,
      sku_id text not null,
      period_start timestamptz not null,
      threshold numeric not null,
      event_id text not null,
      crossed_at timestamptz not null,
      primary key (subscription_id, sku_id, period_start, threshold)
    )`

  // Subscription history -------------------------------------------------------------------
  // What a period is prorated from: one row each time a subscription's quantity, plan or
  // status changes, effective when the change took effect (its start for a new one: an add-on
  // starts inside its parent's period, not at the shared anchor; the
  // cancel or expiry instant for an ending, the write's clock time otherwise). A trigger, so
  // that no code path that changes a subscription can forget it.
  yield* sql`
    create table subscription_history (
      id bigint generated always as identity primary key,
      subscription_id text not null references subscriptions (id) on delete cascade,
      effective_at timestamptz not null,
      quantity integer not null,
      plan_id text not null,
      plan_version integer not null,
      status text not null
    )`
  yield* sql`create index subscription_history_subscription on subscription_history (subscription_id, effective_at, id)`
  yield* sql.unsafe(`
    create function subscription_history_record() returns trigger language plpgsql as $body$
    begin
      if tg_op = 'INSERT'
        or new.quantity is distinct from old.quantity
        or new.plan_id is distinct from old.plan_id
        or new.plan_version is distinct from old.plan_version
        or new.status is distinct from old.status then
        insert into subscription_history (subscription_id, effective_at, quantity, plan_id, plan_version, status)
        values (
          new.id,
          case
            when tg_op = 'INSERT' then new.created_at
            when new.status = 'cancelled' and new.cancelled_at is not null then new.cancelled_at
            when new.status = 'expired' and new.expired_at is not null then new.expired_at
            else new.updated_at
          end,
          new.quantity, new.plan_id, new.plan_version, new.status);
      end if;
      return null;
    end
    $body$`)
  yield* sql.unsafe(`
    create trigger subscriptions_history after insert or update on subscriptions
    for each row execute function subscription_history_record()`)
  yield* sql`
    insert into subscription_history (subscription_id, effective_at, quantity, plan_id, plan_version, status)
    select id, created_at, quantity, plan_id, plan_version, status from subscriptions`

  // Billing runs ----------------------------------------------------------------------------
  // A run bills the customers under `account_id` for the subscription periods ending in
  // `period`. `cursor` is the last customer id done: a resumed run starts after it.
  yield* sql`
    create table billing_runs (
      id text primary key,
      account_id text not null references accounts (id),
      lineage text[] not null,
      period text not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      status text not null check (status in ('pending', 'running', 'completed', 'failed')),
      grace_period_seconds integer not null default 0 check (grace_period_seconds >= 0),
      customers_total integer,
      customers_processed integer not null default 0,
      subscriptions_billed integer not null default 0,
      invoices_created integer not null default 0,
      cursor text,
      error text,
      heartbeat_at timestamptz,
      started_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index billing_runs_lineage on billing_runs using gin (lineage)`
  yield* sql`create index billing_runs_period on billing_runs (account_id, period, id)`

  // Invoices --------------------------------------------------------------------------------
  // The issuer is the account that sells to the customer (its partner); numbers are gapless
  // per issuer and year. Amounts: subtotal = charges (every line but credits), total =
  // subtotal + credit lines, amount_due = total - amount_paid.
  yield* sql`
    create table invoices (
      id text primary key,
      number text,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      issuer_account_id text not null references accounts (id),
      status text not null check (status in ('draft', 'finalized', 'paid', 'void')),
      currency text not null,
      period text not null,
      billing_run_id text references billing_runs (id),
      subtotal numeric not null default 0,
      total numeric not null default 0,
      amount_paid numeric not null default 0,
      amount_due numeric not null default 0,
      needs_rerate boolean not null default false,
      finalizes_at timestamptz,
      finalized_at timestamptz,
      paid_at timestamptz,
      voided_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create unique index invoices_number on invoices (issuer_account_id, number) where number is not null`
  // A run adds to the customer's open draft for that month and currency rather than opening a second.
  yield* sql`create unique index invoices_one_draft on invoices (customer_id, currency, period) where status = 'draft'`
  yield* sql`create index invoices_customer on invoices (customer_id, id)`
  yield* sql`create index invoices_lineage on invoices using gin (lineage)`
  yield* sql`create index invoices_period on invoices (period, id)`
  yield* sql`create index invoices_drafts_due on invoices (finalizes_at) where status = 'draft'`
  yield* sql`
    create table invoice_number_sequences (
      issuer_account_id text not null references accounts (id),
      year integer not null,
      last_number integer not null,
      primary key (issuer_account_id, year)
    )`
  // `details` keeps what produced the amount: the tiers of a usage rating, the days of a
  // proration, the installment number. A one-off charge names its order item and a credit
  // line its credit note, each at most once.
  yield* sql`
    create table invoice_lines (
      invoice_id text not null references invoices (id) on delete cascade,
      position integer not null,
      kind text not null check (kind in ('recurring', 'proration', 'installment', 'usage', 'one_off', 'credit')),
      description text not null,
      subscription_id text,
      product_id text,
      plan_id text,
      sku_id text,
      period_start timestamptz,
      period_end timestamptz,
      quantity numeric,
      unit_price numeric,
      amount numeric not null,
      details jsonb not null default '{}',
      order_item_id text,
      credit_note_id text,
      primary key (invoice_id, position)
    )`
  yield* sql`create unique index invoice_lines_order_item on invoice_lines (order_item_id) where order_item_id is not null`
  yield* sql`create index invoice_lines_subscription on invoice_lines (subscription_id) where subscription_id is not null`
  // A finalized invoice never changes but for its status (finalized -> paid -> void) and what was
  // paid on it: whatever code path tries, the database refuses (the invoices slice's guarantee).
  yield* sql.unsafe(`
    create function invoices_immutable() returns trigger language plpgsql as $body$
    begin
      if old.status <> 'draft' and (
           new.status = 'draft' or (old.status = 'void' and new.status <> 'void')
        or new.number is distinct from old.number or new.customer_id is distinct from old.customer_id
        or new.issuer_account_id is distinct from old.issuer_account_id or new.currency is distinct from old.currency
        or new.period is distinct from old.period or new.subtotal is distinct from old.subtotal
        or new.total is distinct from old.total or new.finalized_at is distinct from old.finalized_at) then
        raise exception 'invoice % is %: only its status and payments may change', old.id, old.status
          using errcode = 'check_violation';
      end if;
      return new;
    end
    $body$`)
  yield* sql.unsafe(`
    create trigger invoices_immutable before update on invoices
    for each row execute function invoices_immutable()`)
  yield* sql.unsafe(`
    create function invoice_lines_immutable() returns trigger language plpgsql as $body$
    begin
      if exists (select 1 from invoices where id in (new.invoice_id, old.invoice_id) and status <> 'draft') then
        raise exception 'the lines of invoice % are final', old.invoice_id using errcode = 'check_violation';
      end if;
      return new;
    end
    $body$`)
  yield* sql.unsafe(`
    create trigger invoice_lines_immutable before update on invoice_lines
    for each row execute function invoice_lines_immutable()`)
  // Exactly once: a subscription period is billed by the invoice that claimed it here.
  yield* sql`
    create table billed_periods (
      subscription_id text not null,
      period_start timestamptz not null,
      period_end timestamptz not null,
      invoice_id text not null references invoices (id) on delete cascade,
      primary key (subscription_id, period_start)
    )`
  yield* sql`create index billed_periods_invoice on billed_periods (invoice_id)`

  // Payments, credit notes, ledger ---------------------------------------------------------
  yield* sql`
    create table payments (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      invoice_id text not null references invoices (id),
      amount numeric not null check (amount > 0),
      currency text not null,
      payment_method_id text,
      gateway text not null,
      gateway_reference text,
      status text not null check (status in ('succeeded', 'failed')),
      failure_reason text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index payments_customer on payments (customer_id, id)`
  yield* sql`create index payments_invoice on payments (invoice_id)`
  yield* sql`create index payments_lineage on payments using gin (lineage)`
  // `remaining` is what the next finalized invoices can still take as credit lines.
  yield* sql`
    create table credit_notes (
      id text primary key,
      customer_id text not null references customers (id) on delete cascade,
      lineage text[] not null,
      currency text not null,
      amount numeric not null check (amount > 0),
      remaining numeric not null check (remaining >= 0),
      reason text not null,
      source text not null check (source in ('manual', 'overpayment', 'void')),
      payment_id text,
      invoice_id text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index credit_notes_customer on credit_notes (customer_id, currency, id)`
  yield* sql`create index credit_notes_lineage on credit_notes using gin (lineage)`
  // The customer's balance per currency is the sum of its entries (positive: owed by the
  // customer). invoice: +subtotal at finalization; void: -subtotal; payment: -amount;
  // credit_note: -amount for a credit granted (not for one made of an overpayment or a voided
  // invoice's payments: that money is already in the ledger as a payment).
  yield* sql`
    create table ledger_entries (
      id bigint generated always as identity primary key,
      customer_id text not null references customers (id) on delete cascade,
      currency text not null,
      kind text not null check (kind in ('invoice', 'void', 'payment', 'credit_note')),
      amount numeric not null,
      invoice_id text,
      payment_id text,
      credit_note_id text,
      created_at timestamptz not null
    )`
  yield* sql`create index ledger_entries_customer on ledger_entries (customer_id, currency, id)`

  // Commissions -----------------------------------------------------------------------------
  yield* sql`
    create table commission_rules (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      lineage text[] not null,
      percentage numeric not null check (percentage >= 0 and percentage <= 100),
      product_id text references products (id),
      plan_id text references plans (id),
      effective_from date not null,
      effective_to date,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check (effective_to is null or effective_to > effective_from)
    )`
  yield* sql`create index commission_rules_account on commission_rules (account_id, id)`
  yield* sql`create index commission_rules_lineage on commission_rules using gin (lineage)`
})
