import * as SqlClient from "@effect/sql/SqlClient"
import type * as Statement from "@effect/sql/Statement"
import { Tier } from "@provisio/core/catalog/pricing"
import { formatDecimal } from "@provisio/core/shared/money"
import { toPage } from "@provisio/core/shared/pagination"
import { PriceList } from "@provisio/core/pricing/model"
import { PriceListRepo } from "@provisio/core/pricing/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pgArray } from "../arrays.js"
import { pageClause } from "../pagination.js"
import { orPersistenceError } from "../persistence.js"

/**
 * The price lists (migration 0028): one row a list, its rules in order, its assignments. A list
 * is read with its rules and assignments as JSON in one statement; dates and decimals as text
 * (the driver would make a `date` a local-time Date and a numeric a float).
 */

const ruleJson = `coalesce((select json_agg(json_build_object(
    'plan_id', r.plan_id, 'sku_id', r.sku_id, 'product_id', r.product_id,
    'all', r.plan_id is null and r.sku_id is null and r.product_id is null,
    'type', r.type, 'value', r.value::text, 'tiers', r.tiers, 'rounding', r.rounding) order by r.position)
  from price_list_rules r where r.price_list_id = l.id), '[]'::json)`

// An assignee is an account (acc_) or a customer (cus_): ids carry their kind.
const assignmentsJson = `json_build_object('all', l.assigned_to_all,
  'account_ids', array(select x.assignee_id from price_list_assignments x
                        where x.price_list_id = l.id and x.assignee_id not like 'cus\\_%' order by x.assignee_id),
  'customer_ids', array(select x.assignee_id from price_list_assignments x
                         where x.price_list_id = l.id and x.assignee_id like 'cus\\_%' order by x.assignee_id))`

const COLUMNS = `l.id, l.owner_account_id, l.name, l.currency, l.valid_from::text as valid_from,
  l.valid_to::text as valid_to, l.apply, ${ruleJson} as rules, ${assignmentsJson} as assignments,
  l.created_at, l.updated_at, o.lineage as owner_lineage`

const Row = Schema.Struct({ ...PriceList.fields, owner_lineage: Schema.Array(Schema.String) })
const decodeRows = Schema.decodeUnknown(Schema.Array(Row))

/** Tiers as the catalog's JSON writes them (prices as decimal strings), which the SQL resolution reads. */
const encodeTiers = Schema.encodeSync(Schema.Array(Tier))
const tiersJson = (tiers: ReadonlyArray<Tier> | null) => (tiers === null ? null : JSON.stringify(encodeTiers(tiers)))

export const PriceListRepoLive = Layer.effect(
  PriceListRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const select = (where: Statement.Fragment) =>
      Effect.flatMap(
        sql`select ${sql.unsafe(COLUMNS)} from price_lists l join accounts o on o.id = l.owner_account_id ${where}`,
        decodeRows
      )
    return PriceListRepo.of({
      list: (ownerAccountId, page) =>
        orPersistenceError(select(sql`where l.owner_account_id = ${ownerAccountId} ${pageClause(sql, page, "l.id")}`).pipe(
          Effect.map((rows) => toPage(rows.map(({ owner_lineage: _, ...list }) => new PriceList(list)), page))
        )),
      findById: (id) =>
        orPersistenceError(select(sql`where l.id = ${id}`).pipe(Effect.map((rows) =>
          Option.map(Option.fromNullable(rows[0]), ({ owner_lineage, ...list }) => ({ list: new PriceList(list), owner_lineage }))
        ))),
      save: (list) =>
        orPersistenceError(Effect.gen(function* () {
          yield* sql`
            insert into price_lists (id, owner_account_id, name, currency, valid_from, valid_to, apply, created_at, updated_at)
            values (${list.id}, ${list.owner_account_id}, ${list.name}, ${list.currency}, ${list.valid_from}::date,
                    ${list.valid_to}::date, ${list.apply}, ${DateTime.formatIso(list.created_at)}, ${DateTime.formatIso(list.updated_at)})
            on conflict (id) do update set name = excluded.name, currency = excluded.currency, valid_from = excluded.valid_from,
              valid_to = excluded.valid_to, apply = excluded.apply, updated_at = excluded.updated_at`
          yield* sql`delete from price_list_rules where price_list_id = ${list.id}`
          if (list.rules.length === 0) return
          const rules = list.rules.map((r, position) => ({
            position,
            plan_id: r.plan_id,
            sku_id: r.sku_id,
            product_id: r.product_id,
            type: r.type,
            value: r.value === null ? null : formatDecimal(r.value),
            tiers: tiersJson(r.tiers),
            rounding: r.rounding
          }))
          yield* sql`
            insert into price_list_rules (price_list_id, position, plan_id, sku_id, product_id, type, value, tiers, rounding)
            select ${list.id}, r.position, r.plan_id, r.sku_id, r.product_id, r.type, r.value::numeric, r.tiers::jsonb, r.rounding
              from jsonb_to_recordset(${JSON.stringify(rules)}::jsonb)
                     as r(position int, plan_id text, sku_id text, product_id text, type text, value text, tiers text, rounding text)`
        })),
      remove: (id) =>
        orPersistenceError(Effect.map(sql`delete from price_lists where id = ${id} returning id`, (rows) => rows.length > 0)),
      assign: (id, assignment, at) =>
        orPersistenceError(Effect.gen(function* () {
          yield* sql`update price_lists set assigned_to_all = ${assignment.all}, updated_at = ${DateTime.formatIso(at)}
                      where id = ${id}`
          yield* sql`delete from price_list_assignments where price_list_id = ${id}`
          if (assignment.ids.length > 0) {
            yield* sql`insert into price_list_assignments (price_list_id, assignee_id)
                       select ${id}, x from unnest(${pgArray(assignment.ids)}::text[]) as x`
          }
        })),
      account: (id) =>
        orPersistenceError(Effect.map(
          sql<{ readonly kind: string; readonly lineage: ReadonlyArray<string> }>`select kind, lineage from accounts where id = ${id}`,
          (rows) => Option.fromNullable(rows[0])
        )),
      childAccounts: (owner, ids) =>
        ids.length === 0 ? Effect.succeed([]) : orPersistenceError(Effect.map(
          sql<{ readonly id: string }>`select id from accounts where parent_id = ${owner} and id = any(${pgArray(ids)}::text[])`,
          (rows) => rows.map((r) => r.id)
        )),
      customersOf: (owner, ids) =>
        ids.length === 0 ? Effect.succeed([]) : orPersistenceError(Effect.map(
          sql<{ readonly id: string }>`select id from customers where partner_id = ${owner} and id = any(${pgArray(ids)}::text[])`,
          (rows) => rows.map((r) => r.id)
        )),
      missingTarget: (rules) =>
        rules.length === 0 ? Effect.succeed(Option.none()) : orPersistenceError(Effect.map(
          sql<{ readonly n: number; readonly field: string }>`
            select t.n::int as n, t.field
              from jsonb_to_recordset(${JSON.stringify(rules.map((r, n) => ({ n, plan_id: r.plan_id, sku_id: r.sku_id, product_id: r.product_id })))}::jsonb)
                     as t0(n int, plan_id text, sku_id text, product_id text)
              cross join lateral (select t0.n,
                case when t0.plan_id is not null and not exists (select 1 from plans where id = t0.plan_id) then 'plan_id'
                     when t0.sku_id is not null and not exists (select 1 from skus where id = t0.sku_id) then 'sku_id'
                     when t0.product_id is not null and not exists (select 1 from products where id = t0.product_id) then 'product_id'
                end as field) t
             where t.field is not null order by t.n limit 1`,
          (rows) => Option.map(Option.fromNullable(rows[0]), (r) => `rules[${r.n}].${r.field}`)
        ))
    })
  })
)
