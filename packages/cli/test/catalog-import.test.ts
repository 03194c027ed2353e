import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { call, expectData, TestServer } from "../../http/test/harness"
import { importCatalogFile } from "../src/catalog/import-file"

const EXAMPLE = fileURLToPath(new URL("../../../examples/catalog.json", import.meta.url))
const example = JSON.parse(fs.readFileSync(EXAMPLE, "utf8"))

/** The command's own work (`provisio catalog import`), its lines kept instead of printed. */
const runImport = (file: string) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const summary = yield* importCatalogFile(file, (line) => Effect.sync(() => lines.push(line)))
    return { summary, lines }
  })

/** A catalog file with the given content, in a fresh temp folder. */
const writeCatalog = (content: unknown) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-catalog-"))
  const file = path.join(dir, "catalog.json")
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content))
  return file
}

const V1 = "/api/v1"

describe("provisio catalog import", () => {
  it.layer(Layer.merge(TestServer, NodeContext.layer))("examples/catalog.json", (it) => {
    it.effect("creates the catalog once; importing it again changes nothing; it is then served over HTTP", () =>
      Effect.gen(function* () {
        const items = example.skus.length + example.products.length + example.plans.length
        const first = yield* runImport(EXAMPLE)
        expect(first.summary).toMatchObject({ created: items, updated: 0, unchanged: 0 })
        expect(first.lines).toHaveLength(items + 1)
        expect(first.lines[0]).toMatch(/^\[ 1\/17\] created {3}sku {5}voice-minutes \(sku_/)
        expect(first.lines.at(-1)).toBe(`${EXAMPLE}: ${items} created, 0 updated, 0 unchanged`)

        const second = yield* runImport(EXAMPLE)
        expect(second.summary).toMatchObject({ created: 0, updated: 0, unchanged: items })
        expect(second.summary.items.map((item) => item.id)).toEqual(first.summary.items.map((item) => item.id))

        // Products, their places, SKUs and plans, as any caller reads them.
        const products = expectData(yield* call("GET", `${V1}/products`))
        expect(products.map((p: any) => p.name)).toEqual(example.products.map((p: any) => p.name))
        const countries = expectData(yield* call("GET", `${V1}/countries`))
        expect(countries.map((c: any) => c.code)).toEqual(["DE", "GB", "NL", "US"])
        const usCities = expectData(yield* call("GET", `${V1}/countries/US/cities`))
        expect(usCities.map((c: any) => c.name)).toEqual(["New York", "Chicago"])
        // The SIP trunk names Frankfurt and Amsterdam too: one city record each.
        const deCities = expectData(yield* call("GET", `${V1}/countries/DE/cities`))
        expect(deCities.map((c: any) => c.name)).toEqual(["Berlin", "Frankfurt am Main"])
        const sipTrunk = products.find((p: any) => p.name === "SIP Trunk")
        expect(sipTrunk.availability[0].city_id).toBe(deCities[1].id)

        const skus = expectData(yield* call("GET", `${V1}/pricing`))
        expect(skus.map((s: any) => s.code)).toEqual(example.skus.map((s: any) => s.code))
        const minutes = skus.find((s: any) => s.code === "voice-minutes")
        expect(minutes).toMatchObject({ model: "graduated", currency: "EUR", tiers: example.skus[0].tiers })
        // 1000 × 0.020 + 500 × 0.015
        const quote = expectData(yield* call("GET", `${V1}/pricing/${minutes.id}/quote?quantity=1500`))
        expect(quote.amount).toEqual({ amount: "27.50", currency: "EUR" })

        const plans = expectData(yield* call("GET", `${V1}/plans`))
        expect(plans.map((p: any) => p.name).sort()).toEqual(example.plans.map((p: any) => p.name).sort())
        expect(plans.every((p: any) => p.version === 1 && p.status === "published" && p.published_version === 1)).toBe(true)
        const byName = (name: string) => plans.find((p: any) => p.name === name)
        const commitment = byName("UCaaS Seat 12-Month Commitment")
        expect(commitment).toMatchObject({
          product_id: products.find((p: any) => p.name === "UCaaS Seat").id,
          price: { amount: "10.00", currency: "EUR" },
          billing_interval: "month",
          commitment_months: 12,
          addon_plan_ids: [byName("Call Recording Add-on").id, byName("Teams Direct Routing Add-on").id],
          sku_ids: [minutes.id]
        })
        expect(byName("Toll-Free Number US Monthly").sku_ids).toEqual([skus.find((s: any) => s.code === "toll-free-minutes-us").id])
      }))

    it.effect("a changed file updates what changed: a plan gets a new published version", () =>
      Effect.gen(function* () {
        yield* runImport(EXAMPLE)
        const changed = structuredClone(example)
        changed.plans.find((p: any) => p.name === "UCaaS Seat Monthly").price.amount = "12.50"
        changed.skus.find((s: any) => s.code === "recording-storage").package_size = 100
        changed.products.find((p: any) => p.name === "SIP Trunk").availability.push({ country: "BE", city: "Brussels" })
        const file = writeCatalog(changed)
        const { summary } = yield* runImport(file)
        expect(summary).toMatchObject({ created: 0, updated: 3 })
        expect(summary.items.filter((item) => item.outcome === "updated").map((item) => item.key)).toEqual([
          "recording-storage",
          "SIP Trunk",
          "UCaaS Seat Monthly"
        ])
        const plan = summary.items.find((item) => item.key === "UCaaS Seat Monthly")!
        expect(expectData(yield* call("GET", `${V1}/plans/${plan.id}`))).toMatchObject({
          version: 2,
          status: "published",
          price: { amount: "12.50", currency: "EUR" },
          published_version: 2
        })
        expect(expectData(yield* call("GET", `${V1}/plans/${plan.id}?version=1`)).status).toBe("retired")
        expect(expectData(yield* call("GET", `${V1}/countries/BE/cities`)).map((c: any) => c.name)).toEqual(["Brussels"])

        const again = yield* runImport(file)
        expect(again.summary).toMatchObject({ created: 0, updated: 0 })
      }))

    it.effect("a file with a mistake names it and changes nothing", () =>
      Effect.gen(function* () {
        const before = expectData(yield* call("GET", `${V1}/pricing?limit=200`)).length
        const broken = writeCatalog({
          skus: [{ code: "new-sku", name: "New", unit: "call", currency: "EUR", model: "per_unit", unit_price: "0.10" }],
          plans: [{
            name: "Orphan Plan",
            product: "No Such Product",
            price: { amount: "1.00", currency: "EUR" },
            billing_interval: "month"
          }]
        })
        const failure = yield* Effect.either(runImport(broken))
        expect(Either.isLeft(failure)).toBe(true)
        expect(Either.getLeft(failure).pipe((e: any) => e.value)).toMatchObject({
          _tag: "ValidationError",
          field: "plans[0].product"
        })
        // All or nothing: the SKU before the mistake was rolled back.
        expect(expectData(yield* call("GET", `${V1}/pricing?limit=200`)).length).toBe(before)

        const badTiers = yield* Effect.either(runImport(writeCatalog({
          skus: [{
            code: "bad-tiers",
            name: "Bad",
            unit: "minute",
            currency: "EUR",
            model: "graduated",
            tiers: [{ up_to: 100, unit_price: "0.10" }, { up_to: 50, unit_price: "0.05" }, { up_to: null, unit_price: "0.01" }]
          }]
        })))
        expect(Either.getLeft(badTiers).pipe((e: any) => e.value)).toMatchObject({ field: "skus[0].tiers[1].up_to" })
        const badShape = yield* Effect.either(runImport(writeCatalog({ products: [{ name: "X", type: "gadget" }] })))
        expect(Either.getLeft(badShape).pipe((e: any) => e.value)).toMatchObject({ field: "products[0].type" })
        const notJson = yield* Effect.either(runImport(writeCatalog("{ not json")))
        expect(Either.getLeft(notJson).pipe((e: any) => e.value.message)).toMatch(/is not JSON/)
      }))
  })
})
