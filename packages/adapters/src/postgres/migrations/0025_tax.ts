import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Tax (issue "Order-to-cash II"): the rate table admins manage, how plans and SKUs are taxed,
 * what each invoice line was taxed at and the invoice's breakdown, credit notes' kinds.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per country (and optional region), category and validity; valid_to is exclusive.
  // Overlaps for one country/region/category are refused by the service (409) and, as a last
  // guard, by the exclusion of equal starts.
  yield* sql`
    create table tax_rates (
      id text primary key,
      country text not null,
      region text,
      category text not null check (category in ('standard', 'reduced', 'zero', 'telecom')),
      rate numeric not null check (rate >= 0 and rate < 100),
      valid_from date not null,
      valid_to date check (valid_to is null or valid_to > valid_from),
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index tax_rates_lookup on tax_rates (country, category, valid_from)`
  for (const table of ["plans", "skus"]) {
    yield* sql.unsafe(`
      alter table ${table}
        add column tax_behavior text not null default 'exclusive' check (tax_behavior in ('exclusive', 'inclusive')),
        add column tax_category text not null default 'telecom'
          check (tax_category in ('standard', 'reduced', 'zero', 'telecom')),
        add column place_of_supply text not null default 'customer' check (place_of_supply in ('customer', 'seller'))`)
  }
  // priced_amount: the amount as priced (the gross of a tax-inclusive price), so taxing a draft
  // again (re-rating, a new rate) starts from the price, not from an earlier net.
  yield* sql`
    alter table invoice_lines
      add column priced_amount numeric,
      add column tax_rate numeric,
      add column tax_category text,
      add column tax_reason text`
  yield* sql`
    alter table invoices
      add column tax jsonb not null default '[]',
      add column tax_total numeric not null default 0`
  yield* sql`
    alter table credit_notes
      add column kind text not null default 'balance' check (kind in ('balance', 'invoice', 'refund')),
      add column subtotal numeric,
      add column tax jsonb not null default '[]',
      add column tax_total numeric not null default 0`
  yield* sql`update credit_notes set kind = 'refund' where source = 'refund'`
  yield* sql`alter table credit_notes drop constraint credit_notes_source_check`
  yield* sql`
    alter table credit_notes add constraint credit_notes_source_check
      check (source in ('manual', 'overpayment', 'void', 'refund', 'invoice'))`
  // An invoice's breakdown from its taxed lines (EN 16931 style): per category, rate and reason,
  // the net sum, and the tax on that sum rounded half-up (half away from zero) to \`digits\`.
  yield* sql.unsafe(`
    create function provisio_invoice_tax(p_invoice text, p_digits integer)
    returns table (tax jsonb, tax_total numeric) language sql stable as $body$
      select coalesce(jsonb_agg(jsonb_build_object(
               'category', g.category, 'rate', g.rate::text, 'taxable_amount', round(g.taxable, p_digits)::text,
               'tax_amount', g.tax::text, 'exemption_reason', g.reason) order by g.category, g.rate, g.reason), '[]'::jsonb),
             coalesce(sum(g.tax), 0)
        from (select l.tax_category as category, min(l.tax_rate) as rate, l.tax_reason as reason,
                     sum(l.amount) as taxable, round(sum(l.amount) * l.tax_rate / 100, p_digits) as tax
                from invoice_lines l
               where l.invoice_id = p_invoice and l.kind <> 'credit' and l.tax_rate is not null
               group by l.tax_category, l.tax_rate, l.tax_reason) g
    $body$`)
})
