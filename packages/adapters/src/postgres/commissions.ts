import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import {
  CommissionAccountKind,
  type CommissionRevenue,
  CommissionRule,
  type StoredCommissionRule
} from "@provisio/core/commissions/model"
import { CommissionRuleRepo } from "@provisio/core/commissions/ports"
import { Currency, DecimalString, formatDecimal } from "@provisio/core/shared/money"
import { toPage } from "@provisio/core/shared/pagination"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { creditedLines, notSpentInvoiceCredit } from "./credited-lines.js"
import { orPersistenceError } from "./persistence.js"

const RuleRow = Schema.Struct({ ...CommissionRule.fields, lineage: Schema.Array(Schema.String) })

const decodeRules = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<StoredCommissionRule>, any> =>
  Effect.map(
    Schema.decodeUnknown(Schema.Array(RuleRow))(rows),
    (decoded) => decoded.map(({ lineage, ...fields }) => ({ rule: new CommissionRule(fields), lineage }))
  )

// Dates and numerics as text: the driver would make a `date` a local-time Date.
const RULE_COLUMNS = `id, account_id, lineage, percentage::text as percentage, product_id, plan_id,
  effective_from::text as effective_from, effective_to::text as effective_to, created_at, updated_at`

/** A row of the revenue aggregate: per account, currency and rule, or (`is_total`) per account and currency. */
const RevenueRow = Schema.Struct({
  account_id: Schema.String,
  account_kind: CommissionAccountKind,
  name: Schema.String,
  currency: Currency,
  is_total: Schema.Boolean,
  rule_id: Schema.NullOr(Schema.String),
  percentage: DecimalString,
  net_revenue: DecimalString,
  commission_exact: DecimalString,
  invoice_ids: Schema.Array(Schema.String)
})

const toRevenue = (rows: ReadonlyArray<typeof RevenueRow.Type>): CommissionRevenue => ({
  accounts: rows.filter((r) => r.is_total).map((r) => ({
    account_id: r.account_id,
    account_kind: r.account_kind,
    name: r.name,
    currency: r.currency,
    net_revenue: r.net_revenue,
    commission_exact: r.commission_exact,
    invoice_ids: r.invoice_ids
  })),
  rules: rows.filter((r) => !r.is_total).map((r) => ({
    account_id: r.account_id,
    account_kind: r.account_kind,
    name: r.name,
    currency: r.currency,
    rule_id: r.rule_id,
    percentage: r.percentage,
    net_revenue: r.net_revenue,
    commission_exact: r.commission_exact
  }))
})

/**
 * `r`: the rule of account `a` that prices line `l` in `period`: its most specific rule in force
 * on the month's first day (plan > product > general, then the latest start, then the newest),
 * none when no rule covers the line. The summary and the commission entries export share it, so
 * that they can never disagree.
 */
export const ruleInForce = (sql: SqlClient.SqlClient, period: string): Statement.Fragment =>
  sql`left join lateral (
        select cr.id, cr.percentage from commission_rules cr
         where cr.account_id = a.id
           and cr.effective_from <= ${`${period}-01`}::date
           and (cr.effective_to is null or cr.effective_to > ${`${period}-01`}::date)
           and (cr.product_id is null or cr.product_id = l.product_id)
           and (cr.plan_id is null or cr.plan_id = l.plan_id)
         order by cr.plan_id is not null desc, cr.product_id is not null desc, cr.effective_from desc, cr.id desc
         limit 1
      ) r on true`

export const CommissionRuleRepoLive = Layer.effect(
  CommissionRuleRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return CommissionRuleRepo.of({
      insert: ({ lineage, rule: r }) =>
        orPersistenceError(sql`insert into commission_rules ${
          sql.insert({
            id: r.id,
            account_id: r.account_id,
            lineage: [...lineage],
            percentage: formatDecimal(r.percentage),
            product_id: r.product_id,
            plan_id: r.plan_id,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            created_at: DateTime.formatIso(r.created_at),
            updated_at: DateTime.formatIso(r.updated_at)
          })
        }`).pipe(Effect.asVoid),
      findById: (id) =>
        orPersistenceError(Effect.flatMap(
          sql`select ${sql.literal(RULE_COLUMNS)} from commission_rules where id = ${id}`,
          decodeRules
        )).pipe(Effect.map((rows) => Option.fromNullable(rows[0]))),
      list: (within, filter, page) =>
        orPersistenceError(Effect.flatMap(
          sql`select ${sql.literal(RULE_COLUMNS)} from commission_rules
              where lineage @> array[${within}]::text[]
              ${filter.account_id === undefined ? sql`` : sql`and account_id = ${filter.account_id}`}
              ${pageClause(sql, page)}`,
          decodeRules
        )).pipe(Effect.map((rows) => toPage(rows.map((r) => r.rule), page))),
      // One statement: each line of the month's finalized and paid invoices, and each line the
      // month's credit notes took off an invoice (negative), once for every account of the scope
      // above its customer (the invoice's lineage), priced by that account's most specific rule in
      // force on the month's first day (plan > product > general, then the latest start, then the
      // newest), summed per rule and per account and currency.
      revenue: ({ account_id, period, within }) =>
        orPersistenceError(Effect.flatMap(
          sql`
            with scoped as (
              select id, kind, name from accounts
              where kind in ('distributor', 'partner') and lineage @> array[${within}]::text[]
              ${account_id === undefined ? sql`` : sql`and id = ${account_id}`}
            ),
            priced as (
              select a.id as account_id, a.kind as account_kind, a.name, i.currency, i.id as invoice_id,
                     l.amount, r.id as rule_id, r.percentage
              from invoices i
              cross join lateral unnest(i.lineage) as above (account_id)
              join scoped a on a.id = above.account_id
              join invoice_lines l on l.invoice_id = i.id
              ${ruleInForce(sql, period)}
              where i.period = ${period} and i.status in ('finalized', 'paid') and ${notSpentInvoiceCredit(sql)}
              union all
              -- The month's credit notes, negative, each on the line it credits (no invoice of the month).
              select a.id, a.kind, a.name, l.currency, null, l.amount, r.id, r.percentage
              from (${creditedLines(sql, period)}) l
              cross join lateral unnest(l.lineage) as above (account_id)
              join scoped a on a.id = above.account_id
              ${ruleInForce(sql, period)}
            )
            select account_id, account_kind, name, currency,
                   grouping(rule_id, percentage) <> 0 as is_total,
                   rule_id, coalesce(percentage, 0)::text as percentage,
                   sum(amount)::text as net_revenue,
                   coalesce(sum(amount * percentage * 0.01), 0)::text as commission_exact,
                   coalesce(array_agg(distinct invoice_id order by invoice_id) filter (where invoice_id is not null),
                            '{}'::text[]) as invoice_ids
            from priced
            group by grouping sets (
              (account_id, account_kind, name, currency, rule_id, percentage),
              (account_id, account_kind, name, currency)
            )
            order by account_kind, name, account_id, currency, rule_id nulls last`,
          (rows) => Schema.decodeUnknown(Schema.Array(RevenueRow))(rows)
        )).pipe(Effect.map(toRevenue))
    })
  })
)
