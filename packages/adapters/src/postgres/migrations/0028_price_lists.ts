import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

/**
 * Price lists per channel tier (issue "Channel economics", docs/channel.md): the lists, their
 * rules and assignments, and the SQL that resolves a price down the channel. Billing, the price
 * endpoint and (later) upstream invoices and margins all read prices through
 * `channel_plan_prices` and `channel_sku_prices`, so every reader agrees to the cent.
 */
/**
 * The rule a seller's lists give a buyer for an item (lateral in both resolutions below, over
 * their `input` i and `chain` ch: the seller is lineage[step], the buyer the next): lists in the
 * item's currency, in force on the day for an `immediately` list and on the day the period
 * began for an `at_renewal` one; assigned to the buyer by name before those assigned to all,
 * then the latest valid_from; in a list the plan's or SKU's own rule, then its product's, then
 * the rule for everything. Inline, not a function: called per row it cost 70 us a row.
 */
const ruleFor = (item: string) => `left join lateral (
            select l.id as price_list_id, r.position as rule_index, r.type, r.value, r.tiers, r.rounding
              from price_lists l
              join price_list_rules r on r.price_list_id = l.id
              left join price_list_assignments x on x.price_list_id = l.id and x.assignee_id = i.lineage[ch.step + 1]
             where l.owner_account_id = i.lineage[ch.step] and l.currency = i.currency
               and l.valid_from <= case l.apply when 'immediately' then i.on_date else i.renewal_date end
               and (l.valid_to is null or l.valid_to > case l.apply when 'immediately' then i.on_date else i.renewal_date end)
               and (x.assignee_id is not null or l.assigned_to_all)
               and (${item})
             order by (x.assignee_id is not null) desc, l.valid_from desc, l.id desc,
                      (r.plan_id is null and r.sku_id is null and r.product_id is null), (r.product_id is not null), r.position
             limit 1) r on true`

/** A rule for everything: no plan, SKU or product named. */
const FOR_ALL = "r.plan_id is null and r.sku_id is null and r.product_id is null"

/**
 * A resolution function down the channel (the two below differ only in what a tier's price is).
 * The tiers above a subject are the same for every customer of one partner, so they are resolved
 * once per distinct parent lineage, item and days (`parents`, `chain`), and only each subject's own
 * step per subject (`own`): a chunk of 250 customers of one partner resolves 3 tiers once and 250
 * customer steps, not 1,000 steps. `input` must give ord, on_date, renewal_date, item_key (what
 * makes two inputs price alike besides lineage and days), lineage, and the `item` columns.
 */
interface Resolution {
  readonly name: string
  readonly params: string
  /** The columns after ord, step, seller_id, buyer_id, price_list_id, rule_index. */
  readonly returns: string
  readonly input: string
  readonly item: string
  /** Step 1's state from the input row `i` (the platform buys at the list price). */
  readonly start: string
  readonly state: string
  /** The next state from the previous `ch`, the row `i` and the rule `r` (null when none applies). */
  readonly step: string
  /** Which rules price the item (ruleFor). */
  readonly rule: string
  /** The returned columns from the input `i` and a tier's state (its alias given). */
  readonly out: (state: string) => string
}

const resolution = (f: Resolution) => `
    create function ${f.name}(${f.params})
    returns table (ord bigint, step integer, seller_id text, buyer_id text, price_list_id text, rule_index integer, ${f.returns})
    language sql stable as $$
      with recursive input as (${f.input}
      ), linked as (
        select i.*, array_to_string(i.lineage[1:cardinality(i.lineage) - 1], ',') || '|' || i.item_key || '|' || i.on_date
                    || '|' || i.renewal_date as parent_key
          from input i
         where cardinality(i.lineage) > 1
      ), parents as (
        select distinct on (l.parent_key) l.parent_key, l.lineage[1:cardinality(l.lineage) - 1] as lineage, l.on_date,
               l.renewal_date, ${f.item.split(", ").map((c) => `l.${c}`).join(", ")}
          from linked l
      ), chain as (
        select i.parent_key, 1 as step, null::text as seller_id, i.lineage[1] as buyer_id, null::text as price_list_id,
               null::integer as rule_index, ${f.start}
          from parents i
        union all
        select ch.parent_key, ch.step + 1, i.lineage[ch.step], i.lineage[ch.step + 1], r.price_list_id, r.rule_index,
               ${f.step}
          from chain ch
          join parents i on i.parent_key = ch.parent_key
          ${ruleFor(f.rule)}
         where ch.step < cardinality(i.lineage)
      ), own as (
        -- Each subject's own step over its parent's price; its columns computed here, not joined
        -- back by ord (a join the planner, thinking the input one row, makes a nested loop).
        select i.ord, ch.step + 1 as step, i.lineage[ch.step] as seller_id, i.lineage[ch.step + 1] as buyer_id,
               r.price_list_id, r.rule_index, ${f.out("next")}
          from linked i
          join chain ch on ch.parent_key = i.parent_key and ch.step = cardinality(i.lineage) - 1
          ${ruleFor(f.rule)}
          cross join lateral (select ${f.step}) as next
      )
      select i.ord, ch.step, ch.seller_id, ch.buyer_id, ch.price_list_id, ch.rule_index, ${f.out("ch")}
        from linked i join chain ch on ch.parent_key = i.parent_key
      union all
      select * from own
      union all
      -- The platform asking for itself: the list price.
      select i.ord, 1, null, i.lineage[1], null, null, ${f.out("first")}
        from input i cross join lateral (select ${f.start}) as first
       where cardinality(i.lineage) = 1
    $$`

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    create table price_lists (
      id text primary key,
      owner_account_id text not null references accounts (id),
      name text not null,
      currency text not null,
      valid_from date not null,
      valid_to date check (valid_to is null or valid_to > valid_from),
      apply text not null check (apply in ('at_renewal', 'immediately')),
      -- Assigned to every account or customer directly below the owner.
      assigned_to_all boolean not null default false,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`
  yield* sql`create index price_lists_owner on price_lists (owner_account_id, currency, valid_from)`
  // A rule targets a plan, a SKU, a product, or everything (all three null).
  yield* sql`
    create table price_list_rules (
      price_list_id text not null references price_lists (id) on delete cascade,
      position integer not null,
      plan_id text,
      sku_id text,
      product_id text,
      type text not null check (type in ('fixed', 'markup_percent', 'discount_percent')),
      value numeric,
      tiers jsonb,
      rounding text not null check (rounding in ('cent', 'ninety_nine')),
      primary key (price_list_id, position),
      check (num_nonnulls(plan_id, sku_id, product_id) <= 1),
      check ((value is null) <> (tiers is null))
    )`
  // An account (distributor, partner) or a customer directly below the list's owner.
  yield* sql`
    create table price_list_assignments (
      price_list_id text not null references price_lists (id) on delete cascade,
      assignee_id text not null,
      primary key (price_list_id, assignee_id)
    )`
  yield* sql`create index price_list_assignments_assignee on price_list_assignments (assignee_id)`

  // Digits after the point per currency (core/shared/money.ts MINOR_UNITS; 2 for the others).
  yield* sql`
    create function currency_minor_units(code text) returns integer language sql immutable as $$
      select case when code in ('JPY', 'KRW') then 0 when code in ('BHD', 'JOD', 'KWD', 'OMR', 'TND') then 3 else 2 end
    $$`

  // The rounding rule of a list over an amount already rounded to the minor unit: ninety_nine goes
  // up to the next .99 (8.40 -> 8.99, 8.99 stays; ...99 for currencies without decimals). These
  // scalar helpers are one expression each, so Postgres inlines them into the resolution's
  // queries instead of calling a function per row (a sevenfold difference for a billing chunk).
  yield* sql`
    create function price_list_round(p numeric, rounding text, minor integer) returns numeric language sql immutable as $$
      select case when rounding = 'ninety_nine' then
               round(case when minor = 0 then ceil((p - 99) / 100) * 100 + 99 else ceil(p - 0.99) + 0.99 end, minor)
             else p end
    $$`

  // One rule over a plan's price (core/pricing/rules.ts applyRule): the percentage over the
  // price the seller buys at (or the fixed value), half-up to the minor unit, then the rounding rule.
  yield* sql`
    create function price_list_apply(base numeric, type text, value numeric, rounding text, minor integer)
    returns numeric language sql immutable as $$
      select price_list_round(round(case type when 'fixed' then value
                                              when 'markup_percent' then base * (100 + value) / 100
                                              else base * (100 - value) / 100 end, minor), rounding, minor)
    $$`

  // A usage price written without zeros past the currency's digits (0.0840 -> 0.084, 0.1 -> 0.10).
  yield* sql`
    create function price_list_trim(p numeric, minor integer) returns numeric language sql immutable as $$
      select round(trim_scale(p), greatest(scale(trim_scale(p)), minor))
    $$`

  // A usage price (a unit price or a tier's) under a percentage: half-up to 6 decimals (0.015 +
  // 20 % is 0.018; 0.10 - 30 % + 20 % is 0.084), so a chain of percentages over a sub-cent price
  // stays exact; no .99 rounding for usage (core/pricing/rules.ts scaleUsagePrice).
  yield* sql`
    create function price_list_scale(base numeric, type text, value numeric, minor integer)
    returns numeric language sql immutable as $$
      select price_list_trim(round(case type when 'markup_percent' then base * (100 + value) / 100
                                              else base * (100 - value) / 100 end, 6), minor)
    $$`

  // THE resolution of plan prices down the channel, for a set of (subject, plan, version, date
  // [, renewal date: when the subscription's period began, the date itself when absent]):
  // a subject is a customer or an account; one row per tier of its lineage, step 1 the
  // platform at the list price, then each buyer below its seller: the seller's rule over the
  // seller's own price, or the list price when no list applies. The subject's price is the
  // row whose buyer_id is the subject; a partner's cost and a distributor's are the rows of
  // those buyers. ord is the input's position (from 1).
  yield* sql.unsafe(resolution({
    name: "channel_plan_prices",
    params: "subject_ids text[], plan_ids text[], plan_versions integer[], on_dates date[], renewal_dates date[] default null",
    returns: "currency text, list_price numeric, price numeric",
    input: `
        select i.ord, i.on_date, coalesce(i.renewal_date, i.on_date) as renewal_date, i.plan_id || '#' || i.version as item_key,
               i.plan_id, v.price_amount as list_price, v.price_currency as currency, p.product_id,
               coalesce(c.lineage, a.lineage) as lineage, currency_minor_units(v.price_currency) as minor
          from unnest(subject_ids, plan_ids, plan_versions, on_dates, renewal_dates)
                 with ordinality as i (subject_id, plan_id, version, on_date, renewal_date, ord)
          join plan_versions v on v.plan_id = i.plan_id and v.version = i.version
          join plans p on p.id = i.plan_id
          left join customers c on c.id = i.subject_id
          left join accounts a on a.id = i.subject_id`,
    item: "plan_id, list_price, currency, product_id, minor",
    start: "i.list_price as price",
    state: "price",
    step: `case when r.price_list_id is null then i.list_price
                    else price_list_apply(ch.price, r.type, r.value, r.rounding, i.minor) end as price`,
    rule: `r.plan_id = i.plan_id or r.product_id = i.product_id or (${FOR_ALL})`,
    out: (state) => `i.currency, i.list_price, ${state}.price`
  }))

  // The same for usage SKUs, for a set of (subject, SKU, date): each tier's price model
  // (model, unit_price, tiers as the catalog writes them: [{up_to, unit_price, flat_fee?}], prices as
  // decimal strings). A fixed value prices every unit (per package for a package SKU); fixed
  // tiers replace the tiers (graduated unless the SKU is volume); a percentage scales every price
  // and fee. Fixed rules for a product or everything price plans only (a SKU's is its own rule).
  yield* sql.unsafe(resolution({
    name: "channel_sku_prices",
    params: "subject_ids text[], sku_ids text[], on_dates date[], renewal_dates date[] default null",
    returns: "currency text, model text, unit_price numeric, package_size integer, tiers jsonb",
    input: `
        select i.ord, i.on_date, coalesce(i.renewal_date, i.on_date) as renewal_date, i.sku_id as item_key,
               i.sku_id, s.currency, s.model, s.unit_price, s.package_size,
               coalesce((select jsonb_agg(jsonb_build_object('up_to', t.up_to, 'unit_price', t.unit_price::text)
                                          || case when t.flat_fee is null then '{}'::jsonb
                                                  else jsonb_build_object('flat_fee', t.flat_fee::text) end
                                          order by t.position)
                           from sku_tiers t where t.sku_id = s.id), '[]'::jsonb) as tiers,
               coalesce(c.lineage, a.lineage) as lineage, currency_minor_units(s.currency) as minor
          from unnest(subject_ids, sku_ids, on_dates, renewal_dates) with ordinality as i (subject_id, sku_id, on_date, renewal_date, ord)
          join skus s on s.id = i.sku_id
          left join customers c on c.id = i.subject_id
          left join accounts a on a.id = i.subject_id`,
    item: "sku_id, currency, model, unit_price, package_size, tiers, minor",
    start: "i.model, i.unit_price, i.tiers",
    state: "model, unit_price, tiers",
    step: `case when r.price_list_id is null then i.model
                    when r.type <> 'fixed' then ch.model
                    when r.value is not null then case when i.model = 'package' then 'package' else 'per_unit' end
                    when i.model = 'volume' then 'volume' else 'graduated' end as model,
               case when r.price_list_id is null then i.unit_price
                    when r.type <> 'fixed' then price_list_scale(ch.unit_price, r.type, r.value, i.minor)
                    else r.value end as unit_price,
               case when r.price_list_id is null then i.tiers
                    when r.type <> 'fixed' then coalesce((
                      select jsonb_agg(t.tier || jsonb_build_object('unit_price',
                                         price_list_scale((t.tier->>'unit_price')::numeric, r.type, r.value, i.minor)::text)
                                       || case when t.tier ? 'flat_fee' then jsonb_build_object('flat_fee',
                                            price_list_scale((t.tier->>'flat_fee')::numeric, r.type, r.value, i.minor)::text)
                                          else '{}'::jsonb end
                                       order by t.n)
                        from jsonb_array_elements(ch.tiers) with ordinality as t (tier, n)), '[]'::jsonb)
                    when r.value is not null then '[]'::jsonb
                    else r.tiers end as tiers`,
    rule: `r.sku_id = i.sku_id or (${FOR_ALL} and r.type <> 'fixed')`,
    out: (state) => `i.currency, ${state}.model, ${state}.unit_price, i.package_size, ${state}.tiers`
  }))
})
