import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * A finalized invoice's documents never change (issue "Order-to-cash II"): the details of both
 * parties as they were at finalization (the issuer's account name, legal details and branding; the
 * customer's name, address, tax id, email and language) are kept on the invoice, and on a credit
 * note when it is made. Documents render from these; invoices finalized before this migration
 * (null) render from the current details.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`alter table invoices add column parties jsonb`
  yield* sql`alter table credit_notes add column parties jsonb`
  yield* sql.unsafe(`
    create function provisio_document_parties(p_issuer text, p_customer text)
    returns jsonb language sql stable as $body$
      select jsonb_build_object(
               'account_name', a.name,
               'legal', st.legal,
               'branding', st.branding,
               'customer', jsonb_build_object('id', c.id, 'name', c.name, 'address', c.address, 'tax_id', c.tax_id,
                                              'tax_exempt', c.tax_exempt, 'email', c.email, 'language', c.language))
        from customers c
        left join accounts a on a.id = p_issuer
        left join account_settings st on st.account_id = p_issuer
       where c.id = p_customer
    $body$`)
  // Credit notes are made by several paths (credits, refunds, invoice credit notes, voids), one at
  // a time: a trigger freezes them all. Their issuer: the invoice's, else the customer's partner.
  yield* sql.unsafe(`
    create function credit_notes_parties() returns trigger language plpgsql as $body$
    begin
      if new.parties is null then
        new.parties := provisio_document_parties(
          coalesce((select issuer_account_id from invoices where id = new.invoice_id),
                   (select partner_id from customers where id = new.customer_id)),
          new.customer_id);
      end if;
      return new;
    end
    $body$`)
  yield* sql.unsafe(`
    create trigger credit_notes_parties before insert on credit_notes
    for each row execute function credit_notes_parties()`)
})
