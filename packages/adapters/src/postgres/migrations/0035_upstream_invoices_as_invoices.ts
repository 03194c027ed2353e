import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Upstream invoices among the invoices (issue 23, docs/channel.md "Upstream invoices"): `GET
 * /invoices` answers them in the invoice shape, they have documents, and they are paid or voided
 * by their issuer. They stay in their own tables (0030), out of the customer ledger and of
 * collection; this adds what the invoice shape and those actions need: what was paid and when,
 * the void, the due date (the issuer's payment terms), the parties frozen at issue (as 0027 does
 * for a customer's invoice) and the payments recorded against them.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    alter table upstream_invoices
      add column amount_paid numeric not null default 0,
      add column paid_at timestamptz,
      add column voided_at timestamptz,
      add column due_at timestamptz,
      add column due_date date,
      add column parties jsonb`
  // Scope reads: `lineage @> array[account]`, as invoices are read.
  yield* sql`create index upstream_invoices_lineage on upstream_invoices using gin (lineage)`

  // The document parties of an upstream invoice: the issuer as a customer invoice's issuer
  // (provisio_document_parties, 0027), the account billed as the buyer from its settings.legal.
  yield* sql.unsafe(`
    create function provisio_upstream_parties(p_issuer text, p_bill_to text)
    returns jsonb language sql stable as $body$
      select jsonb_build_object(
               'account_name', a.name,
               'legal', st.legal,
               'branding', st.branding,
               'customer', jsonb_build_object(
                 'id', b.id, 'name', coalesce(bs.legal->>'name', b.name),
                 'address', case when jsonb_typeof(bs.legal->'address') = 'object' then bs.legal->'address' end,
                 'country', coalesce(bs.legal->>'country', bs.legal->'address'->>'country'),
                 'tax_id', bs.legal->>'tax_id', 'tax_exempt', 'none',
                 'email', bs.branding->>'support_email', 'language', 'en'))
        from accounts b
        left join account_settings bs on bs.account_id = b.id
        left join accounts a on a.id = p_issuer
        left join account_settings st on st.account_id = p_issuer
       where b.id = p_bill_to
    $body$`)
  yield* sql`
    update upstream_invoices u
       set parties = provisio_upstream_parties(u.issuer_account_id, u.bill_to_account_id),
           due_at = u.finalized_at + make_interval(days => coalesce(
             (select (s.billing->>'payment_terms_days')::int from account_settings s where s.account_id = u.issuer_account_id), 14))`
  yield* sql`update upstream_invoices set due_date = (due_at at time zone 'UTC')::date`

  // Money received against an upstream invoice, recorded by its issuer (no gateway, no ledger).
  yield* sql`
    create table upstream_payments (
      id text primary key,
      invoice_id text not null references upstream_invoices (id) on delete cascade,
      amount numeric not null check (amount > 0),
      currency text not null,
      created_at timestamptz not null
    )`
  yield* sql`create index upstream_payments_invoice on upstream_payments (invoice_id)`
})
