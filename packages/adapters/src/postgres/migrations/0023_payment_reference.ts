import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * The structured creditor reference (ISO 11649) of an invoice number, in the database, so the
 * invoice JSON the database writes (API answers and events alike) carries the reference a payer
 * quotes on a bank transfer: the rule of core reconciliation/references.ts `creditorReference`
 * (`RF`, check digits making body + `RF` + digits 1 modulo 97, letters A = 10 to Z = 35; null for
 * a body of no letter or digit, or more than 21). A test holds the two to the same answers.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(`
    create function provisio_creditor_reference(number text) returns text
      language plpgsql immutable parallel safe as $$
      declare
        body text := upper(regexp_replace(coalesce(number, ''), '[^A-Za-z0-9]', '', 'g'));
        input text;
        part text;
        rest integer := 0;
      begin
        if length(body) = 0 or length(body) > 21 then return null; end if;
        input := body || 'RF00';
        for i in 1 .. length(input) loop
          part := substr(input, i, 1);
          if part !~ '[0-9]' then part := (ascii(part) - 55)::text; end if;
          for j in 1 .. length(part) loop
            rest := (rest * 10 + substr(part, j, 1)::integer) % 97;
          end loop;
        end loop;
        return 'RF' || lpad((98 - rest)::text, 2, '0') || body;
      end $$`)
})
