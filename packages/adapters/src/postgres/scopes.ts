import type * as Statement from "@effect/sql/Statement"
import type { SqlClient } from "@effect/sql/SqlClient"
import * as Schema from "effect/Schema"

/**
 * Where an account or a customer sits in the hierarchy, as `AccountScope`: every account and
 * every customer (with its partner's edition), one row each, to join on `id`. `suspended_by` is
 * the suspended account highest in the lineage: a suspension reaches everything below it.
 */
export const scopes = (sql: SqlClient): Statement.Fragment =>
  sql`(select s.id, s.kind, s.lineage, s.edition,
              (select a.id from accounts a
                where a.id = any(s.lineage) and a.status = 'suspended'
                order by cardinality(a.lineage) limit 1) as suspended_by
         from (select id, kind, lineage, edition from accounts
               union all
               select c.id, 'customer', c.lineage, p.edition
                 from customers c join accounts p on p.id = c.partner_id) s)`

export const ScopeKind = Schema.Literal("platform", "distributor", "partner", "customer")
export const ScopeEdition = Schema.NullOr(Schema.Literal("free", "standard"))

/** A row of `scopes`. */
export const ScopeRow = Schema.Struct({
  id: Schema.String,
  kind: ScopeKind,
  lineage: Schema.Array(Schema.String),
  edition: ScopeEdition,
  suspended_by: Schema.NullOr(Schema.String)
})
