import { describe, expect, it } from "@effect/vitest"
import { BillingInputRepoLive } from "@provisio/adapters/postgres/billing/inputs"
import { usageLines } from "@provisio/core/billing/build"
import { monthBounds, periodEndingIn } from "@provisio/core/billing/months"
import { BillingInputRepo } from "@provisio/core/billing/ports"
import { Billing } from "@provisio/core/billing/service"
import { InvoiceLine } from "@provisio/core/invoices/model"
import { type Currency, formatDecimal } from "@provisio/core/shared/money"
import { decimal, validTiers } from "@provisio/core/testing/price-models"
import { USAGE_BOUND } from "@provisio/core/usage/model"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fc from "effect/FastCheck"
import { isDeepStrictEqual } from "node:util"
import { type Answer, call, channel, expectData } from "./harness"
import { awaitRun, createCustomer, OrderingServer, runDue, setNow, subscribe, V1 } from "./ordering-fixtures"

/**
 * A billing run, the re-rating of a draft and the preview rate usage in the core (build.ts
 * `usageLines`, pricing.ts `rate`), from the running totals. What a customer sees must not depend
 * on which path wrote it or on the trip through the database (numeric columns, the details as
 * jsonb): the usage line on the invoice is the line the upcoming-invoice preview showed, field for
 * field and digit for digit (amount, quantity, unit_price, the details' tiers).
 *
 * One database, many cases at once: SKUs with price models created through the API (so the
 * catalog validates them), plans metering them, two subscriptions per plan, usage sent as
 * several records per subscription and SKU (the line rates their sum), one billing run with a
 * grace period, then late usage and a re-rating of the drafts. Every usage line read back through
 * GET /customers/{id}/invoices is compared with `usageLines` of the SKU as `BillingInputRepo.skus`
 * reads it and the total as `BillingInputRepo.usageOf` sums it (what the preview does), encoded by
 * the `InvoiceLine` schema as the API encodes it; and the preview itself is compared too.
 *
 * The random cases come from fast-check with a fixed seed: a failure lists each differing line
 * with its SKU as sent, its records and total, and the fields that differ. Replay another seed
 * with PROVISIO_RATING_SEED=<seed>.
 */

const SEED = Number(process.env["PROVISIO_RATING_SEED"] ?? 20261130)
const RANDOM_SKUS = 64
/** Subscriptions per plan: each SKU is rated on as many separate totals. */
const SUBSCRIPTIONS_PER_PLAN = 2
const SKUS_PER_PLAN = 8

// Cases -------------------------------------------------------------------------------------------

interface TierJson {
  readonly up_to: number | null
  readonly unit_price: string
  readonly flat_fee?: string
}

/** A SKU's pricing fields as POST /pricing takes them (bounds as JSON numbers, prices as strings). */
type SkuJson =
  | { readonly currency: Currency; readonly model: "per_unit"; readonly unit_price: string }
  | { readonly currency: Currency; readonly model: "package"; readonly unit_price: string; readonly package_size: number }
  | { readonly currency: Currency; readonly model: "graduated" | "volume"; readonly tiers: ReadonlyArray<TierJson> }

/** The usage of one subscription and SKU: the records before the run, and those arriving after it. */
interface Usage {
  readonly records: ReadonlyArray<string>
  readonly late: ReadonlyArray<string>
}

interface Case {
  readonly label: string
  readonly sku: SkuJson
  /** One per subscription of the SKU's plan, up to `SUBSCRIPTIONS_PER_PLAN` (the others report none). */
  readonly usage: ReadonlyArray<Usage>
}

const once = (...records: ReadonlyArray<string>): Usage => ({ records, late: [] })

const perUnit = (currency: Currency, unit_price: string): SkuJson => ({ currency, model: "per_unit", unit_price })
const packaged = (currency: Currency, unit_price: string, package_size: number): SkuJson => ({
  currency,
  model: "package",
  unit_price,
  package_size
})
const tiered = (model: "graduated" | "volume", currency: Currency, ...tiers: ReadonlyArray<TierJson>): SkuJson => ({
  currency,
  model,
  tiers
})
const tier = (up_to: number | null, unit_price: string, flat_fee?: string): TierJson =>
  flat_fee === undefined ? { up_to, unit_price } : { up_to, unit_price, flat_fee }

/**
 * Hand-picked cases, each the smallest of its kind: quantities exactly on tier bounds (with
 * trailing zeros), decimal bounds, whole and partial packages, rounding ties in currencies of 0,
 * 2 and 3 digits, large quantities, a zero total, late usage crossing a bound.
 */
const EDGE_CASES: ReadonlyArray<Case> = [
  { label: "per_unit, a price finer than a cent", sku: perUnit("EUR", "0.015"), usage: [once("1", "0.5"), once("3")] },
  { label: "per_unit, a free SKU, whole quantities", sku: perUnit("EUR", "0"), usage: [once("5"), once("2", "1")] },
  {
    label: "graduated, decimal bounds, quantities on them",
    sku: tiered("graduated", "EUR", tier(0.5, "2"), tier(2.25, "1.10", "0.50"), tier(null, "0.3")),
    usage: [once("0.25", "0.250"), once("1", "1.250")]
  },
  {
    label: "volume, on a bound and just past it",
    sku: tiered("volume", "USD", tier(100, "0.10"), tier(null, "0.05", "1.00")),
    usage: [once("60", "40.000"), once("100.001")]
  },
  { label: "package, whole and partial packages", sku: packaged("EUR", "2.50", 50), usage: [once("50", "50"), once("100.5")] },
  { label: "per_unit, JPY rounding half up", sku: perUnit("JPY", "0.5"), usage: [once("5"), once("3")] },
  { label: "per_unit, BHD rounding half up", sku: perUnit("BHD", "0.0005"), usage: [once("3"), once("1", "0")] },
  {
    label: "graduated, large quantities",
    sku: tiered("graduated", "EUR", tier(1000000, "0.0001"), tier(null, "0.00001", "99.99")),
    usage: [once("999999999998.678", "1"), once("999999.999", "0.001")]
  },
  { label: "a zero total makes no line", sku: perUnit("EUR", "1.00"), usage: [once("0", "0.0"), once("0")] },
  {
    label: "late usage crosses a bound",
    sku: tiered("graduated", "EUR", tier(10, "1.00"), tier(null, "0.50", "2.00")),
    usage: [{ records: ["9"], late: ["2.5"] }, { records: ["0"], late: ["1"] }]
  }
]

/**
 * Where the two disagree, one SKU and one total each (the first two cut down from the random
 * cases): only in the digits of a step's exact amount in `details.tiers`, never in its value nor
 * in the line's amount, quantity or unit_price. Effect's `BigDecimal.multiply` answers a scale-0
 * zero when a factor is zero, and `BigDecimal.sum` answers the other operand unchanged when one
 * is zero, where NUMERIC keeps the sum of the scales (product) or the larger one (sum). (A
 * graduated tier's bound of 1e21 or more reached `rate` with a negative scale, `safeFromNumber`
 * reading "1e+21", where the SQL's `trim_scale` gave it scale 0; no period's usage fills such a
 * tier now: it is less than 1e12, usage/model.ts MAX_USAGE_DIGITS.)
 */
const DISAGREEMENTS: ReadonlyArray<Case> = [
  // 5 x 0.00 + 0: the core writes "0", the database "0.00".
  { label: "per_unit, a zero price with digits", sku: perUnit("EUR", "0.00"), usage: [once("5")] },
  // 2 x 1.5 + 0.000: the core writes "3.0", the database "3.000".
  {
    label: "graduated, a zero flat fee with digits",
    sku: tiered("graduated", "EUR", tier(10, "1.5", "0.000"), tier(null, "1")),
    usage: [once("2")]
  }
]

// Random cases: valid models in the shapes of packages/core/test/catalog/pricing.test.ts, with
// zero prices and fees written with digits, and totals picked on the model's edges half the time.

const price = fc.oneof(
  { arbitrary: decimal(10n ** 6n, 4), weight: 5 },
  { arbitrary: fc.constantFrom("0", "0.00", "0.0000").map(BigDecimal.unsafeFromString), weight: 1 }
).map(formatDecimal)

const currency = fc.constantFrom<Currency>("EUR", "JPY", "BHD", "USD")

/** Positive, strictly increasing bounds (decimals, exact as JSON numbers) and an open last tier. */
const tiers = validTiers(price, 5).map((list) =>
  list.map((tier): TierJson => ({ ...tier, up_to: tier.up_to === null ? null : BigDecimal.unsafeToNumber(tier.up_to) }))
)

const skuJson: fc.Arbitrary<SkuJson> = fc.oneof(
  fc.record({ currency, unit_price: price }).map((s) => ({ ...s, model: "per_unit" as const })),
  fc.record({ currency, tiers }).map((s) => ({ ...s, model: "graduated" as const })),
  fc.record({ currency, tiers }).map((s) => ({ ...s, model: "volume" as const })),
  fc.record({ currency, unit_price: price, package_size: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 10_000 })) })
    .map((s) => ({ ...s, model: "package" as const }))
)

const EPSILON = BigDecimal.make(1n, 3)

/** The quantities where a model changes its mind: on each bound, a little either side; whole packages. */
const edgesOf = (sku: SkuJson): ReadonlyArray<BigDecimal.BigDecimal> => {
  const around = (at: BigDecimal.BigDecimal) =>
    [at, BigDecimal.sum(at, EPSILON), BigDecimal.subtract(at, EPSILON)].filter(BigDecimal.isPositive)
  switch (sku.model) {
    case "graduated":
    case "volume":
      return sku.tiers.flatMap((t) => (t.up_to === null ? [] : around(BigDecimal.unsafeFromNumber(t.up_to))))
    case "package":
      return [1n, 2n, 7n].flatMap((k) => around(BigDecimal.make(k * BigInt(sku.package_size), 0)))
    case "per_unit":
      return []
  }
}

const total = (sku: SkuJson): fc.Arbitrary<BigDecimal.BigDecimal> => {
  const edges = edgesOf(sku)
  const random = fc.oneof(
    { arbitrary: decimal(10n ** 9n, 3), weight: 4 },
    { arbitrary: decimal(100n, 1), weight: 2 },
    // Large, up to half the bound on a period's usage (usage/model.ts): its records and its late ones together stay under it.
    { arbitrary: decimal(USAGE_BOUND.value / 2n - 1n, 3), weight: 1 }
  )
  return edges.length === 0 ? random : fc.oneof(random, fc.constantFrom(...edges))
}

/**
 * `amount` as 1 to 4 records summing to it, some written with extra trailing zeros (a sum
 * carries the largest scale of its records), some of them zero.
 */
const recordsOf = (amount: BigDecimal.BigDecimal): fc.Arbitrary<ReadonlyArray<string>> =>
  fc.tuple(
    fc.array(fc.bigInt({ min: 0n, max: amount.value }), { maxLength: 3 }),
    fc.array(fc.constantFrom(0, 0, 0, 1, 2), { minLength: 4, maxLength: 4 })
  ).map(([cuts, pads]) => {
    const points = [0n, ...[...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), amount.value]
    return points.slice(1).map((point, i) => {
      const part = BigDecimal.make(point - points[i]!, amount.scale)
      return formatDecimal(BigDecimal.scale(part, part.scale + pads[i]!))
    })
  })

const usageFor = (sku: SkuJson): fc.Arbitrary<Usage> =>
  fc.record({
    records: total(sku).chain(recordsOf),
    late: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: total(sku).chain(recordsOf), weight: 1 })
  })

const randomCase = skuJson.chain((sku) =>
  fc.array(usageFor(sku), { minLength: SUBSCRIPTIONS_PER_PLAN, maxLength: SUBSCRIPTIONS_PER_PLAN }).map(
    (usage): Omit<Case, "label"> => ({ sku, usage })
  )
)

const randomCases = (seed: number): ReadonlyArray<Case> =>
  fc.sample(fc.array(randomCase, { minLength: RANDOM_SKUS, maxLength: RANDOM_SKUS }), { seed, numRuns: 1 })[0]!.map(
    (c, i) => ({ ...c, label: `seed ${seed}, case ${i}` })
  )

// The world -------------------------------------------------------------------------------------

const sumOf = (quantities: ReadonlyArray<string>) =>
  quantities.reduce((acc, q) => BigDecimal.sum(acc, BigDecimal.unsafeFromString(q)), BigDecimal.make(0n, 0))

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

/** Polls the run (it works in a fiber of its own, in real time) until it has finished. */

/** One subscription's usage of one SKU: the case it belongs to and which of its usages. */
interface Metered {
  readonly kase: Case
  readonly usage: Usage
  readonly which: number
  readonly sku_id: string
  readonly subscription_id: string
}

const keyOf = (subscriptionId: string, skuId: string) => `${subscriptionId} ${skuId}`

const postUsage = (
  partnerKey: string,
  records: ReadonlyArray<{ readonly subscription_id: string; readonly sku_id: string; readonly quantity: string; readonly occurred_at: string }>,
  tag: string
) =>
  Effect.gen(function* () {
    let n = 0
    for (const batch of chunksOf(records, 1000)) {
      const answer = expectData(yield* call("POST", `${V1}/usage`, {
        key: partnerKey,
        body: { records: batch.map((r) => ({ ...r, transaction_id: `${tag}-${++n}` })) }
      }))
      expect(answer.rejected, JSON.stringify(answer.rejected)).toEqual([])
      expect(answer.accepted).toBe(batch.length)
    }
  })

/**
 * The catalog, customers, subscriptions and usage of `cases` in `month` (UTC, subscribed on its
 * first instant), made through the API: the SKUs of a currency share plans of `SKUS_PER_PLAN`,
 * each plan has `SUBSCRIPTIONS_PER_PLAN` subscriptions spread over two customers. The clock is
 * left where the usage was sent (the 20th).
 */
const worldOf = (tag: string, month: string, cases: ReadonlyArray<Case>) =>
  Effect.gen(function* () {
    const day = (d: number, hour = 0) => `${month}-${String(d).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00Z`
    yield* setNow(day(1))
    const { partner, partnerKey } = yield* channel()
    const customers = [
      yield* createCustomer(partner.id, { name: `${tag} A` }),
      yield* createCustomer(partner.id, { name: `${tag} B` })
    ]
    const product = expectData(yield* call("POST", `${V1}/products`, { body: { name: `${tag} metered service`, type: "service" } }), 201)
    const skuIds: Array<string> = []
    for (const [i, kase] of cases.entries()) {
      const created: Answer = yield* call("POST", `${V1}/pricing`, {
        body: { code: `${tag}-${i}`, name: `${tag} SKU ${i} (${kase.sku.model})`, unit: "unit", ...kase.sku }
      })
      if (created.status !== 201) throw new Error(`${kase.label}: the catalog refused ${JSON.stringify(kase.sku)}: ${created.text}`)
      skuIds.push(created.body.data.id)
    }
    const metered: Array<Metered> = []
    const currencies = [...new Set(cases.map((c) => c.sku.currency))]
    let subscriptions = 0
    for (const currency of currencies) {
      const ofCurrency = cases.flatMap((kase, i) => (kase.sku.currency === currency ? [{ kase, sku_id: skuIds[i]! }] : []))
      for (const [p, group] of chunksOf(ofCurrency, SKUS_PER_PLAN).entries()) {
        const plan = expectData(yield* call("POST", `${V1}/plans`, {
          body: {
            product_id: product.id,
            name: `${tag} ${currency} plan ${p}`,
            price: { amount: "1", currency },
            billing_interval: "month",
            sku_ids: group.map((g) => g.sku_id)
          }
        }), 201)
        expectData(yield* call("POST", `${V1}/plans/${plan.id}/publish`))
        for (let which = 0; which < SUBSCRIPTIONS_PER_PLAN; which++) {
          const customer = customers[subscriptions++ % customers.length]!
          const subscription = yield* subscribe(customer.id, { plan_id: plan.id, quantity: 1 }, partnerKey)
          for (const { kase, sku_id } of group) {
            const usage = kase.usage[which]
            if (usage !== undefined) metered.push({ kase, usage, which, sku_id, subscription_id: subscription.id })
          }
        }
      }
    }
    yield* setNow(day(20))
    yield* postUsage(
      partnerKey,
      metered.flatMap((m) =>
        m.usage.records.map((quantity, r) => ({
          subscription_id: m.subscription_id,
          sku_id: m.sku_id,
          quantity,
          occurred_at: day(2 + (r % 17), 10)
        }))
      ),
      tag
    )
    return { month, day, partnerKey, customers, metered }
  })

type World = Effect.Effect.Success<ReturnType<typeof worldOf>>

// What the core makes of it, and what the API shows -------------------------------------------------

/**
 * The usage lines build.ts makes for the world's subscriptions in `month`, from the SKUs as
 * `BillingInputRepo.skus` reads them and the totals as `BillingInputRepo.usageOf` sums them (the preview's
 * inputs), encoded by the `InvoiceLine` schema: by subscription and SKU.
 */
const coreLines = (world: World) =>
  Effect.gen(function* () {
    const repo = yield* BillingInputRepo
    const bounds = monthBounds(world.month, "UTC")
    const subscriptions = yield* repo.subscriptionsOf(world.customers.map((c) => c.id), bounds.start, bounds.end)
    const periods = subscriptions.map((subscription) => {
      const period = periodEndingIn(subscription, world.month)
      if (period === undefined) throw new Error(`subscription ${subscription.id} has no period ending in ${world.month}`)
      return { subscription, period }
    })
    const usage = yield* repo.usageOf(periods.map(({ period, subscription }) => ({
      subscription_id: subscription.id,
      period_start: period.start,
      period_end: period.end
    })))
    const skus = new Map((yield* repo.skus([...new Set(usage.map((u) => u.sku_id))])).map((s) => [s.id, s]))
    const lines = new Map<string, unknown>()
    const totals = new Map<string, BigDecimal.BigDecimal>()
    for (const { period, subscription } of periods) {
      const mine = usage.filter((u) => u.subscription_id === subscription.id)
      for (const u of mine) totals.set(keyOf(subscription.id, u.sku_id), u.quantity)
      const billed = usageLines(subscription, period, mine.map((u) => ({ sku: skus.get(u.sku_id)!, quantity: u.quantity })))
      for (const { line } of billed) {
        lines.set(keyOf(subscription.id, line.sku_id!), yield* Schema.encode(InvoiceLine)(new InvoiceLine(line, true)))
      }
    }
    return { lines, totals }
  }).pipe(Effect.provide(BillingInputRepoLive), Effect.orDie)

/** The usage lines of invoices (or previews) as the API shows them: by subscription and SKU. */
const apiUsageLines = (invoices: ReadonlyArray<any>) => {
  const lines = new Map<string, any>()
  for (const invoice of invoices) {
    for (const line of invoice.lines) {
      if (line.kind !== "usage") continue
      const k = keyOf(line.subscription_id, line.sku_id)
      if (lines.has(k)) throw new Error(`two usage lines for ${k}`)
      lines.set(k, line)
    }
  }
  return lines
}

const invoicesOf = (world: World) =>
  Effect.map(
    Effect.forEach(world.customers, (c) => call("GET", `${V1}/customers/${c.id}/invoices?limit=100`, { key: world.partnerKey })),
    (answers) => answers.flatMap((a) => expectData(a) as Array<any>)
  )

const previewsOf = (world: World) =>
  Effect.map(
    Effect.forEach(world.customers, (c) => call("GET", `${V1}/customers/${c.id}/upcoming-invoice`, { key: world.partnerKey })),
    (answers) => answers.flatMap((a) => expectData(a) as Array<any>)
  )

/** The fields of two encoded lines that differ, as `{ field: { usageLines, api } }`. */
const differingFields = (expected: any, actual: any) => {
  if (expected === undefined || actual === undefined) return { line: { usageLines: expected ?? "none", api: actual ?? "none" } }
  const fields = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
  return Object.fromEntries(
    fields
      .filter((f) => !isDeepStrictEqual(expected[f], actual[f]))
      .map((f) => [f, { usageLines: expected[f], api: actual[f] }])
  )
}

/**
 * Every (subscription, SKU) of the world whose line in `shown` is not the core's: the case, its
 * SKU as sent, the records, the total, and the fields that differ. Empty when they all agree.
 */
const mismatches = (
  world: World,
  core: { readonly lines: ReadonlyMap<string, unknown>; readonly totals: ReadonlyMap<string, BigDecimal.BigDecimal> },
  shown: ReadonlyMap<string, unknown>,
  records: (m: Metered) => ReadonlyArray<string>
) => {
  const known = new Set(world.metered.map((m) => keyOf(m.subscription_id, m.sku_id)))
  const strays = [...shown.keys()].filter((k) => !known.has(k)).map((k) => ({ stray: k, line: shown.get(k) }))
  const differing = world.metered.flatMap((m) => {
    const k = keyOf(m.subscription_id, m.sku_id)
    const expected = core.lines.get(k)
    const actual = shown.get(k)
    if (isDeepStrictEqual(expected, actual)) return []
    const total = core.totals.get(k)
    return [{
      case: m.kase.label,
      subscription: m.which,
      sku: m.kase.sku,
      records: records(m),
      total: total === undefined ? "none" : formatDecimal(total),
      differs: differingFields(expected, actual)
    }]
  })
  return [...strays, ...differing]
}

const report = (what: string, found: ReadonlyArray<unknown>, lines: number) =>
  `${found.length} of ${lines} usage lines differ (${what}); the first of them:\n${JSON.stringify(found.slice(0, 6), null, 2)}`

/**
 * The world billed: the preview on the month's last day, a run with a grace period (drafts), late
 * usage re-rating the drafts. At each step the lines shown must be the core's.
 */
const billAndCompare = (tag: string, month: string, cases: ReadonlyArray<Case>) =>
  Effect.gen(function* () {
    const world = yield* worldOf(tag, month, cases)
    const end = monthBounds(month, "UTC").end

    // The preview, half a day before the period ends.
    yield* setNow(iso(DateTime.subtract(end, { hours: 12 })))
    const before = yield* coreLines(world)
    expect(before.lines.size, "the cases make usage lines").toBeGreaterThan(0)
    const preview = mismatches(world, before, apiUsageLines(yield* previewsOf(world)), (m) => m.usage.records)
    expect(preview.length, report("the preview against usageLines", preview, before.lines.size)).toBe(0)

    // The run writes its drafts' usage lines.
    yield* setNow(iso(end))
    yield* runDue
    const started = expectData(yield* call("POST", `${V1}/billing/runs`, {
      key: world.partnerKey,
      body: { period: month, grace_period: "1 hour" }
    }), 202)
    const run = yield* awaitRun(started.id, world.partnerKey)
    expect(run, JSON.stringify(run)).toMatchObject({ status: "completed", error: null })
    const billed = mismatches(world, before, apiUsageLines(yield* invoicesOf(world)), (m) => m.usage.records)
    expect(billed.length, report("the billing run's invoices against the preview's usageLines", billed, before.lines.size)).toBe(0)

    // Late usage flags the drafts; re-rating writes their usage lines again.
    yield* setNow(iso(DateTime.add(end, { minutes: 30 })))
    const late = world.metered.filter((m) => m.usage.late.length > 0)
    if (late.length > 0) {
      yield* postUsage(
        world.partnerKey,
        late.flatMap((m) =>
          m.usage.late.map((quantity, r) => ({
            subscription_id: m.subscription_id,
            sku_id: m.sku_id,
            quantity,
            occurred_at: world.day(28, r % 20)
          }))
        ),
        `${tag}-late`
      )
      const { rerated } = yield* (yield* Billing).finalizeDue
      if (late.some((m) => BigDecimal.isPositive(sumOf(m.usage.late)))) expect(rerated).toBeGreaterThan(0)
      const after = yield* coreLines(world)
      const rerate = mismatches(world, after, apiUsageLines(yield* invoicesOf(world)), (m) => [...m.usage.records, ...m.usage.late])
      expect(rerate.length, report("re-rated drafts against usageLines", rerate, after.lines.size)).toBe(0)
    }

    // The totals the lines were rated on are the records' sums.
    const sums = yield* coreLines(world)
    for (const m of world.metered) {
      const sum = sumOf([...m.usage.records, ...m.usage.late])
      const stored = sums.totals.get(keyOf(m.subscription_id, m.sku_id)) ?? BigDecimal.make(0n, 0)
      expect(BigDecimal.equals(stored, sum), `${m.kase.label}: stored total ${formatDecimal(stored)}, records sum ${formatDecimal(sum)}`)
        .toBe(true)
    }
    return sums.lines.size
  })

describe("usage rated by a billing run", () => {
  it.layer(OrderingServer, { timeout: 120_000 })("the database rates as the preview does", (it) => {
    it.effect("an invoice's usage line is the line the preview showed: tier bounds, packages, rounding, large totals", () =>
      Effect.gen(function* () {
        const lines = yield* billAndCompare("edge", "2026-11", EDGE_CASES)
        expect(lines).toBeGreaterThan(EDGE_CASES.length)
      }), 60_000)

    it.effect("an invoice's usage line is the line the preview showed, to the digits of a zero price and a zero fee", () =>
      Effect.gen(function* () {
        expect(yield* billAndCompare("digits", "2027-01", DISAGREEMENTS)).toBe(DISAGREEMENTS.length)
      }), 60_000)

    it.effect(`an invoice's usage line is the line the preview showed, for ${RANDOM_SKUS} random price models (seed ${SEED})`, () =>
      Effect.gen(function* () {
        const lines = yield* billAndCompare("random", "2027-03", randomCases(SEED))
        expect(lines).toBeGreaterThan(RANDOM_SKUS)
      }), 90_000)
  })
})
