/**
 * The number inventory at scale: how fast numbers are imported and how fast the search answers.
 *
 *   npx tsx bench/numbers.ts              1,000,000 numbers
 *   npx tsx bench/numbers.ts 200000       another count
 *
 * Runs on an in-memory embedded database, and also on the PostgreSQL server of `DATABASE_URL`
 * when it is set (in a database of its own, created and dropped). Each run imports the numbers
 * through the core's service, as `provisio numbers import` does (batches of 5,000, one set-based
 * insert per placement, statistics kept fresh as it goes), across four countries and eight
 * cities; reserves about two hundred of them; then times 200 searches with varied criteria
 * (product, country, city, digits anywhere, prefix, second pages) and prints the median and p95,
 * with the plan of one query of each kind. A million numbers take about a minute on PGlite (two
 * cores); when an import takes much longer, the summary recommends a count for a quicker run.
 */
import { SqlClient, type Statement } from "@effect/sql"
import { embeddedClient } from "@provisio/adapters/postgres/database"
import { migrate } from "@provisio/adapters/postgres/migrations/index"
import { ServicesLive } from "@provisio/adapters/services"
import { TestDatabase } from "@provisio/adapters/testing/database"
import { Catalog } from "@provisio/core/catalog/service"
import { CreateProduct } from "@provisio/core/catalog/model"
import { CreateCustomer } from "@provisio/core/customers/model"
import { Customers } from "@provisio/core/customers/service"
import { Identity } from "@provisio/core/identity/service"
import { CreateReservation, type NumberQuery } from "@provisio/core/numbers/model"
import { type NumberRow, Numbers } from "@provisio/core/numbers/service"
import { CreateDistributor, CreatePartner } from "@provisio/core/identity/model"
import { PageRequest } from "@provisio/core/shared/pagination"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"

const COUNT = Math.max(10_000, Number(process.argv[2] ?? 1_000_000))
const CHUNK = 5_000
const SEARCHES = 200
const RESERVATIONS = 100

/** Where the numbers go: a country, a city (or none: country-wide) and the block's first number. */
const PLACES = [
  { country: "DE", city: "Berlin", base: 493_000_000_000 },
  { country: "DE", city: "Hamburg", base: 494_000_000_000 },
  { country: "DE", city: "Munich", base: 498_900_000_000 },
  { country: "DE", city: null, base: 498_000_000_000 },
  { country: "GB", city: "London", base: 442_000_000_000 },
  { country: "GB", city: "Manchester", base: 441_610_000_000 },
  { country: "US", city: "New York", base: 12_120_000_000 },
  { country: "US", city: "Chicago", base: 13_120_000_000 },
  { country: "NL", city: "Amsterdam", base: 31_200_000_000 }
] as const

const embedded = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(embeddedClient("memory")))

const stats = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! }
}

const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`
const count = (n: number) => n.toLocaleString("en-US")

/** A deterministic pseudo-random sequence (the same searches on every database). */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}

const run = (label: string) =>
  Effect.gen(function* () {
    const identity = yield* Identity
    const catalog = yield* Catalog
    const numbers = yield* Numbers
    const customers = yield* Customers
    const sql = yield* SqlClient.SqlClient
    yield* identity.bootstrap(Option.some("pvo_bench_platform_admin_key_0123456789abcdef"))
    const operator = yield* identity.platformOperator

    const product = yield* catalog.createProduct(operator, new CreateProduct({
      name: "Local numbers",
      type: "phone_number",
      availability: PLACES.map((place) => ({ country: place.country, city: place.city }))
    }))
    const cityIds = product.availability.map((entry) => entry.city_id)

    // Import: batches of CHUNK rows, each of one place (files come in blocks), round robin.
    console.log(`\n${label}: importing ${count(COUNT)} numbers in batches of ${count(CHUNK)}`)
    const importBatch = yield* numbers.numberImporter(operator)
    const next = PLACES.map(() => 0)
    const issued: Array<Array<string>> = PLACES.map(() => [])
    const started = performance.now()
    let done = 0
    let lastReport = 0
    for (let batch = 0; done < COUNT; batch++) {
      const p = batch % PLACES.length
      const place = PLACES[p]!
      const size = Math.min(CHUNK, COUNT - done)
      const rows: Array<NumberRow> = []
      for (let i = 0; i < size; i++) {
        const number = `+${place.base + next[p]!++}`
        rows.push({ line: done + i + 2, number, product_id: product.id, country: place.country, city: place.city })
        if (i % 997 === 0) issued[p]!.push(number)
      }
      const result = yield* importBatch(rows)
      if (result.added !== size) throw new Error(`batch ${batch}: ${result.added} of ${size} added`)
      done += size
      if (done - lastReport >= 100_000 || done === COUNT) {
        lastReport = done
        const seconds = (performance.now() - started) / 1000
        console.log(`  ${count(done).padStart(9)} numbers, ${count(Math.round(done / seconds))} numbers/s`)
      }
    }
    // The import keeps the table's statistics fresh as it goes (adapters/postgres/numbers.ts):
    // its time includes that.
    const importSeconds = (performance.now() - started) / 1000

    // Some numbers held by reservations: they must not show.
    const partner = yield* Effect.gen(function* () {
      const distributor = yield* identity.createDistributor(operator, new CreateDistributor({ name: "Bench distributor" }))
      return yield* identity.createPartner(operator, new CreatePartner({ name: "Bench partner", distributor_id: distributor.id }))
    })
    const customer = yield* customers.createCustomer(operator, new CreateCustomer({ name: "Bench customer", partner_id: partner.id }))
    const held = new Set<string>()
    for (let r = 0; r < RESERVATIONS; r++) {
      const pool = issued[r % PLACES.length]!
      const picked = [pool[(r * 7) % pool.length]!, pool[(r * 7 + 3) % pool.length]!].filter((n) => !held.has(n))
      if (picked.length === 0) continue
      picked.forEach((n) => held.add(n))
      yield* numbers.createReservation(operator, customer.id, new CreateReservation({ numbers: [...new Set(picked)] }))
    }

    // The searches: the same mix and order on every database.
    const rand = random(42)
    const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(rand() * items.length)]!
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join("")
    const placeIndex = () => Math.floor(rand() * PLACES.length)
    const kinds: Record<string, () => NumberQuery> = {
      "product + country": () => ({ product_id: product.id, country: PLACES[placeIndex()]!.country }),
      "product + country + city": () => {
        const p = placeIndex()
        return { product_id: product.id, country: PLACES[p]!.country, city: cityIds[p] ?? undefined }
      },
      "city by name": () => {
        const p = pick(PLACES.map((_, i) => i).filter((i) => PLACES[i]!.city !== null))
        return { product_id: product.id, country: PLACES[p]!.country, city: PLACES[p]!.city! }
      },
      "product + country + contains 3-5": () => ({
        product_id: product.id,
        country: PLACES[placeIndex()]!.country,
        contains: digits(3 + Math.floor(rand() * 3))
      }),
      "contains 4-7 digits only": () => ({ contains: digits(4 + Math.floor(rand() * 4)) }),
      "city + contains 4": () => {
        const p = placeIndex()
        return { product_id: product.id, country: PLACES[p]!.country, city: cityIds[p] ?? undefined, contains: digits(4) }
      },
      "starts_with": () => ({ starts_with: `+${String(PLACES[placeIndex()]!.base).slice(0, 5)}${digits(2)}` }),
      "country only": () => ({ country: PLACES[placeIndex()]!.country }),
      "product only": () => ({ product_id: product.id })
    }
    const names = Object.keys(kinds)
    const timings: Array<number> = []
    const byKind = new Map<string, Array<number>>(names.map((name) => [name, []]))
    let found = 0
    let empty = 0
    let secondPages = 0
    // Warm up: plans, caches, the JIT.
    for (const name of names) yield* numbers.searchNumbers(operator, kinds[name]!(), new PageRequest({ limit: 50 }))
    for (let i = 0; i < SEARCHES; i++) {
      const name = names[i % names.length]!
      const query = kinds[name]!()
      const t0 = performance.now()
      const page = yield* numbers.searchNumbers(operator, query, new PageRequest({ limit: 50 }))
      const elapsed = performance.now() - t0
      // Every fourth search with a next page reads that page too (timed as its own search).
      if (page.next_cursor !== null && i % 4 === 0) {
        const after = Buffer.from(page.next_cursor, "base64url").toString()
        const t1 = performance.now()
        yield* numbers.searchNumbers(operator, query, new PageRequest({ limit: 50, after }))
        timings.push(performance.now() - t1)
        secondPages++
      }
      timings.push(elapsed)
      byKind.get(name)!.push(elapsed)
      found += page.items.length
      if (page.items.length === 0) empty++
      for (const item of page.items) if (held.has(item.number)) throw new Error(`${item.number} is reserved but was found`)
    }

    const overall = stats(timings)
    console.log(`\n${label}: ${count(COUNT)} numbers`)
    console.log(`  import     ${count(Math.round(COUNT / importSeconds))} numbers/s (${importSeconds.toFixed(1)} s)`)
    console.log(`  search     ${timings.length} searches (${SEARCHES} + ${secondPages} second pages), limit 50: median ${ms(overall.median)}, p95 ${ms(overall.p95)}, max ${ms(overall.max)}`)
    console.log(`             ${count(found)} numbers found; ${empty} searches found none`)
    for (const name of names) {
      const s = stats(byKind.get(name)!)
      console.log(`    ${name.padEnd(34)} median ${ms(s.median)}   p95 ${ms(s.p95)}`)
    }
    const size = yield* sql<{ table: string; indexes: string }>`
      select pg_size_pretty(pg_table_size('numbers')) as table, pg_size_pretty(pg_indexes_size('numbers')) as indexes`
    const indexes = yield* sql<{ name: string; size: string }>`
      select indexrelname as name, pg_size_pretty(pg_relation_size(indexrelid)) as size
        from pg_stat_user_indexes where relname = 'numbers' order by pg_relation_size(indexrelid) desc`
    console.log(`  storage    table ${size[0]!.table}, indexes ${size[0]!.indexes} (${indexes.map((i) => `${i.name} ${i.size}`).join(", ")})`)
    return { importRate: COUNT / importSeconds, importSeconds, median: overall.median, p95: overall.p95 }
  })

/** The plans of representative searches, to show each one is index-backed. */
const plans = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const product = (yield* sql<{ id: string }>`select id from products limit 1`)[0]!.id
  const city = (yield* sql<{ id: string }>`select id from cities where name = 'Hamburg'`)[0]!.id
  const now = new Date().toISOString()
  const available = sql`state in ('available', 'reserved') and (state = 'available' or reserved_until < ${now})`
  const show = (name: string, query: Statement.Fragment) =>
    Effect.gen(function* () {
      const rows = yield* sql<{ "QUERY PLAN": string }>`explain (analyze, costs off, timing off, summary off) ${query}`
      console.log(`    ${name}`)
      for (const row of rows.slice(0, 12)) console.log(`      ${row["QUERY PLAN"]}`)
    })
  const base = sql`select number, product_id, country, city_id, created_at, updated_at from numbers where ${available}`
  console.log("  plans")
  yield* show("product + country + city", sql`${base} and product_id = ${product} and country = 'DE' and city_id = ${city} order by number limit 51`)
  yield* show("product + country", sql`${base} and product_id = ${product} and country = 'GB' order by number limit 51`)
  yield* show("country", sql`${base} and country = 'DE' order by number limit 51`)
  yield* show("contains 6 digits", sql`${base} and number like ${"%123456%"} order by number limit 51`)
  yield* show("starts_with", sql`${base} and number like ${"+4940000123%"} order by number limit 51`)
})

const bench = (label: string, database: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  Effect.gen(function* () {
    const result = yield* run(label)
    yield* plans
    return result
  }).pipe(Effect.provide(ServicesLive.pipe(Layer.provideMerge(database))))

const main = Effect.gen(function* () {
  const results: Array<[string, { importRate: number; importSeconds: number; median: number; p95: number }]> = []
  results.push(["embedded (PGlite, in memory)", yield* bench("embedded (PGlite, in memory)", embedded)])
  if (process.env["DATABASE_URL"]) {
    results.push(["PostgreSQL (DATABASE_URL)", yield* bench("PostgreSQL (DATABASE_URL)", TestDatabase)])
  }
  console.log(`\nSummary: ${count(COUNT)} numbers`)
  for (const [label, r] of results) {
    console.log(`  ${label.padEnd(30)} import ${count(Math.round(r.importRate)).padStart(7)} numbers/s   search median ${ms(r.median)}   p95 ${ms(r.p95)}`)
    if (r.importSeconds > 180) {
      const quicker = Math.max(100_000, Math.floor((r.importRate * 60) / 100_000) * 100_000)
      console.log(`    the import took ${Math.round(r.importSeconds)} s here: for a run of about a minute, try ` +
        `npx tsx bench/numbers.ts ${quicker}`)
    }
  }
}).pipe(Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))

Effect.runPromise(main).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
