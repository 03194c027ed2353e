import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Channel economics (issue 23 parts 3 and 4, docs/channel.md): a partner's channel model, the
 * upstream-invoicing switch in settings, each billed customer line's cost at every tier above
 * the customer (channel_costs), and the invoices a seller issues to the account below it for
 * those costs (upstream_invoices: their own table, since an invoice row belongs to a customer,
 * its ledger, collection and documents; see docs/channel.md "Upstream invoices").
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // reseller: the partner issues its customers' invoices and buys at its cost; agency: its
  // distributor issues them and the partner earns its commission. Null for other accounts.
  yield* sql`alter table accounts add column channel_model text check (channel_model in ('reseller', 'agency'))`
  yield* sql`update accounts set channel_model = 'reseller' where kind = 'partner'`
  yield* sql`alter table account_settings add column channel jsonb not null default '{}'`

  // One row per billed customer line and tier above the customer that buys what the line sells:
  // the partner (from its distributor) and the distributor (from the platform), at the buyer's
  // resolved price. A line has at most one row per buyer, so recording again adds nothing.
  yield* sql`
    create table channel_costs (
      invoice_id text not null references invoices (id) on delete cascade,
      line_position integer not null,
      buyer_account_id text not null references accounts (id),
      seller_account_id text not null references accounts (id),
      period text not null check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      customer_id text not null,
      kind text not null,
      plan_id text,
      sku_id text,
      quantity numeric not null,
      unit_cost numeric,
      amount numeric not null,
      currency text not null,
      upstream_invoice_id text,
      created_at timestamptz not null,
      primary key (invoice_id, line_position, buyer_account_id)
    )`
  yield* sql`create index channel_costs_buyer on channel_costs (buyer_account_id, period)`
  yield* sql`create index channel_costs_seller on channel_costs (seller_account_id, period)`
  yield* sql`create index channel_costs_uninvoiced on channel_costs (period, seller_account_id) where upstream_invoice_id is null`

  yield* sql`
    create table upstream_invoices (
      id text primary key,
      number text not null,
      issuer_account_id text not null references accounts (id),
      bill_to_account_id text not null references accounts (id),
      lineage text[] not null,
      status text not null check (status in ('finalized', 'paid', 'void')),
      currency text not null,
      period text not null,
      billing_run_id text,
      subtotal numeric not null,
      tax jsonb not null default '[]',
      tax_total numeric not null,
      total numeric not null,
      finalized_at timestamptz not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index upstream_invoices_issuer on upstream_invoices (issuer_account_id, period)`
  yield* sql`create index upstream_invoices_bill_to on upstream_invoices (bill_to_account_id, period)`
  yield* sql`
    create table upstream_invoice_lines (
      invoice_id text not null references upstream_invoices (id) on delete cascade,
      position integer not null,
      description text not null,
      plan_id text,
      sku_id text,
      quantity numeric not null,
      amount numeric not null,
      tax_rate numeric,
      tax_category text,
      tax_reason text,
      primary key (invoice_id, position)
    )`
})
