import * as SqlClient from "@effect/sql/SqlClient"
import { CommissionStatement } from "@provisio/core/commissions/model"
import { CommissionStatementRepo, type StatementScope } from "@provisio/core/commissions/ports"
import { formatDecimal } from "@provisio/core/shared/money"
import { toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { orPersistenceError } from "./persistence.js"

/** Money as the contract writes it, from the row's numeric text and currency. */
const COLUMNS = `s.id, s.account_id, a.kind as account_kind, a.name, s.period, s.currency,
  json_build_object('amount', s.net_revenue::text, 'currency', s.currency) as net_revenue,
  json_build_object('amount', s.commission::text, 'currency', s.currency) as total,
  s.invoices, s.status, s.settled_at, s.created_at, s.updated_at, s.lineage`

const StatementRow = Schema.Struct({ ...CommissionStatement.fields, lineage: Schema.Array(Schema.String) })
const decodeRows = Schema.decodeUnknown(Schema.Array(StatementRow))

const toStored = ({ lineage, ...fields }: typeof StatementRow.Type) => ({ statement: new CommissionStatement(fields), lineage })

export const CommissionStatementRepoLive = Layer.effect(
  CommissionStatementRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const inScope = (scope: StatementScope) =>
      sql`s.period = ${scope.period} and s.lineage @> array[${scope.within}]::text[]
          ${scope.account_id === undefined ? sql`` : sql`and s.account_id = ${scope.account_id}`}`

    return CommissionStatementRepo.of({
      refresh: (scope, amounts, at) => {
        const rows = JSON.stringify(amounts.map((a) => ({
          id: a.id,
          account_id: a.account_id,
          currency: a.currency,
          net_revenue: formatDecimal(a.net_revenue),
          total: formatDecimal(a.total),
          invoices: a.invoices
        })))
        const iso = DateTime.formatIso(at)
        return orPersistenceError(Effect.gen(function* () {
          // Settled statements keep what they were paid on: only open ones follow the invoices.
          yield* sql`
            insert into commission_statements (id, account_id, lineage, period, currency, net_revenue, commission,
                                               invoices, status, created_at, updated_at)
            select u.id, u.account_id, a.lineage, ${scope.period}, u.currency, u.net_revenue, u.total, u.invoices,
                   'open', ${iso}::timestamptz, ${iso}::timestamptz
              from jsonb_to_recordset(${rows}::jsonb)
                     as u(id text, account_id text, currency text, net_revenue numeric, total numeric, invoices integer)
              join accounts a on a.id = u.account_id
            on conflict (account_id, period, currency) do update
               set net_revenue = excluded.net_revenue, commission = excluded.commission, invoices = excluded.invoices,
                   updated_at = excluded.updated_at
             where commission_statements.status = 'open'
               and (commission_statements.net_revenue, commission_statements.commission, commission_statements.invoices)
                   is distinct from (excluded.net_revenue, excluded.commission, excluded.invoices)`
          yield* sql`
            delete from commission_statements s
             where ${inScope(scope)} and s.status = 'open'
               and not exists (select 1 from jsonb_to_recordset(${rows}::jsonb) as u(account_id text, currency text)
                                where u.account_id = s.account_id and u.currency = s.currency)`
        }))
      },
      list: (scope, page) =>
        orPersistenceError(Effect.flatMap(
          sql`select ${sql.literal(COLUMNS)} from commission_statements s join accounts a on a.id = s.account_id
               where ${inScope(scope)}
               ${page.after === undefined ? sql`` : sql`and (a.kind, a.name, s.account_id, s.currency) > (
                 select c.kind, c.name, l.account_id, l.currency
                   from commission_statements l join accounts c on c.id = l.account_id where l.id = ${page.after})`}
               order by a.kind, a.name, s.account_id, s.currency
               limit ${page.limit + 1}`,
          decodeRows
        )).pipe(Effect.map((rows) => toPage(rows.map((row) => toStored(row).statement), page))),
      findById: (id) =>
        orPersistenceError(Effect.flatMap(
          sql`select ${sql.literal(COLUMNS)} from commission_statements s join accounts a on a.id = s.account_id
               where s.id = ${id}`,
          decodeRows
        )).pipe(Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toStored))),
      settle: (id, amounts, at, by) =>
        orPersistenceError(sql`
          update commission_statements
             set status = 'settled', settled_at = ${DateTime.formatIso(at)}::timestamptz, settled_by = ${by},
                 net_revenue = ${formatDecimal(amounts.net_revenue)}::numeric,
                 commission = ${formatDecimal(amounts.total)}::numeric, invoices = ${amounts.invoices},
                 updated_at = ${DateTime.formatIso(at)}::timestamptz
           where id = ${id} and status = 'open'
          returning id`).pipe(Effect.map((rows) => rows.length === 1))
    })
  })
)
