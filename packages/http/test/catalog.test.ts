import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Answer, callAndTick as call, channel, createKey, expectData, expectError, TestServer } from "./harness"


const V1 = "/api/v1"

let names = 0
/** A name no other test of the file has used (product, plan names and SKU codes are unique). */
const unique = (name: string) => `${name} ${++names}`

const createProduct = (body: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `${V1}/products`, { body: { name: unique("Product"), type: "service", ...body } }),
    (a) => expectData(a, 201)
  )

const GRADUATED = [
  { up_to: 100, unit_price: "0.10" },
  { up_to: 1000, unit_price: "0.08", flat_fee: "5.00" },
  { up_to: null, unit_price: "0.05" }
]

const createSku = (body: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `${V1}/pricing`, {
      body: {
        code: unique("sku").replace(" ", "-"),
        name: "Voice minutes",
        unit: "minute",
        currency: "EUR",
        model: "graduated",
        tiers: GRADUATED,
        ...body
      }
    }),
    (a) => expectData(a, 201)
  )

const createPlan = (productId: string, body: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `${V1}/plans`, {
      body: {
        product_id: productId,
        name: unique("Plan"),
        price: { amount: "12.00", currency: "EUR" },
        billing_interval: "month",
        ...body
      }
    }),
    (a) => expectData(a, 201)
  )

/** Every item of a list, following `next_cursor` with the given page size. */
const collect = (path: string, limit: number, key?: string) =>
  Effect.gen(function* () {
    const items: Array<any> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const separator = path.includes("?") ? "&" : "?"
      const answer: Answer = yield* call(
        "GET",
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { key }
      )
      const data = expectData(answer)
      expect(answer.body.meta.page.limit).toBe(limit)
      expect(data.length).toBeLessThanOrEqual(limit)
      items.push(...data)
      cursor = answer.body.meta.page.next_cursor
      pages++
    } while (cursor !== null && pages < 50)
    return { items, pages }
  })

describe("catalog", () => {
  it.layer(TestServer)("products", (it) => {
    it.effect("creates, reads, lists and updates a product; cities are created on first use", () =>
      Effect.gen(function* () {
        const name = unique("Toll-Free Number")
        const created = yield* createProduct({
          name,
          type: "phone_number",
          availability: [{ country: "US" }, { country: "DE", city: "Berlin" }, { country: "GB", city: "London" }],
          characteristics: [
            { name: "routing_destination", type: "string", required: true },
            { name: "format", type: "enum", allowed_values: ["national", "international"] }
          ]
        })
        expect(created.id).toMatch(/^prd_/)
        expect(created).toMatchObject({
          name,
          type: "phone_number",
          availability: [
            { country: "US", city: null, city_id: null },
            { country: "DE", city: "Berlin" },
            { country: "GB", city: "London" }
          ],
          characteristics: [
            { name: "routing_destination", type: "string", required: true, allowed_values: null },
            { name: "format", type: "enum", required: false, allowed_values: ["national", "international"] }
          ]
        })
        const berlin = created.availability[1].city_id
        expect(berlin).toMatch(/^cty_/)

        expect(expectData(yield* call("GET", `${V1}/products/${created.id}`))).toEqual(created)
        const listed = expectData(yield* call("GET", `${V1}/products`))
        expect(listed.map((p: any) => p.id)).toContain(created.id)

        // Another product naming the same city, in another case, gets the same city record.
        const other = yield* createProduct({ availability: [{ country: "DE", city: "BERLIN" }] })
        expect(other.availability[0]).toEqual({ country: "DE", city: "Berlin", city_id: berlin })

        // A partial update keeps what is not sent; availability is replaced whole.
        const renamed = expectData(yield* call("PUT", `${V1}/products/${created.id}`, { body: { name: `${name} (new)` } }))
        expect(renamed).toMatchObject({ name: `${name} (new)`, type: "phone_number", availability: created.availability })
        expect(renamed.characteristics).toEqual(created.characteristics)
        expect(renamed.updated_at >= created.updated_at).toBe(true)
        const moved = expectData(yield* call("PUT", `${V1}/products/${created.id}`, {
          body: { availability: [{ country: "NL", city: "Amsterdam" }], characteristics: [] }
        }))
        expect(moved.availability).toMatchObject([{ country: "NL", city: "Amsterdam" }])
        expect(moved.characteristics).toEqual([])
        expect(moved.name).toBe(`${name} (new)`)
      }))

    it.effect("names are unique whatever their case: 409 duplicate_product", () =>
      Effect.gen(function* () {
        const product = yield* createProduct()
        const again = yield* call("POST", `${V1}/products`, { body: { name: product.name.toUpperCase(), type: "service" } })
        expectError(again, 409, "duplicate_product", "name")
        const other = yield* createProduct()
        const rename = yield* call("PUT", `${V1}/products/${other.id}`, { body: { name: product.name } })
        expectError(rename, 409, "duplicate_product", "name")
      }))

    it.effect("validates availability and characteristics, naming the field", () =>
      Effect.gen(function* () {
        const post = (body: Record<string, unknown>) =>
          call("POST", `${V1}/products`, { body: { name: unique("Invalid"), type: "service", ...body } })
        expectError(yield* post({ type: "hardware" }), 422, "validation_error", "type")
        expectError(yield* post({ availability: [{ country: "XX" }] }), 422, "validation_error", "availability[0].country")
        expectError(yield* post({ availability: [{ country: "de" }] }), 422, "validation_error", "availability[0].country")
        expectError(
          yield* post({ availability: [{ country: "DE", city: "Köln" }, { country: "DE", city: "köln" }] }),
          422,
          "validation_error",
          "availability[1]"
        )
        expectError(
          yield* post({ characteristics: [{ name: "codec", type: "string" }, { name: "Codec", type: "number" }] }),
          422,
          "validation_error",
          "characteristics[1].name"
        )
        expectError(
          yield* post({ characteristics: [{ name: "codec", type: "enum" }] }),
          422,
          "validation_error",
          "characteristics[0].allowed_values"
        )
        expectError(
          yield* post({ characteristics: [{ name: "codec", type: "enum", allowed_values: [] }] }),
          422,
          "validation_error",
          "characteristics[0].allowed_values"
        )
        expectError(
          yield* post({ characteristics: [{ name: "codec", type: "enum", allowed_values: ["a", "b", "a"] }] }),
          422,
          "validation_error",
          "characteristics[0].allowed_values[2]"
        )
        expectError(
          yield* post({ characteristics: [{ name: "channels", type: "number", allowed_values: ["1"] }] }),
          422,
          "validation_error",
          "characteristics[0].allowed_values"
        )
        expectError(yield* call("GET", `${V1}/products/prd_nosuchproduct`), 404, "not_found")
        expectError(yield* call("PUT", `${V1}/products/prd_nosuchproduct`, { body: { name: "X" } }), 404, "not_found")
      }))

    it.effect("platform admins and managers write the catalog; everyone else reads it", () =>
      Effect.gen(function* () {
        const { distributorKey, partner, partnerKey } = yield* channel()
        const customer = expectData(yield* call("POST", `${V1}/customers`, { key: partnerKey, body: { name: "C" } }), 201)
        const customerKey = yield* createKey(customer.id)
        const platform = expectData(yield* call("GET", `${V1}/me`)).account_id
        const platformViewer = yield* createKey(platform, "viewer")
        const platformManager = yield* createKey(platform, "manager")
        const product = yield* createProduct()
        for (const key of [distributorKey, partnerKey, customerKey, platformViewer]) {
          expectError(
            yield* call("POST", `${V1}/products`, { key, body: { name: unique("Denied"), type: "service" } }),
            403,
            "forbidden"
          )
          expectError(yield* call("PUT", `${V1}/products/${product.id}`, { key, body: { name: "X" } }), 403, "forbidden")
          expect(expectData(yield* call("GET", `${V1}/products/${product.id}`, { key })).id).toBe(product.id)
        }
        // Narrowed to a partner with X-Tenant-ID, the platform admin acts as the partner.
        expectError(
          yield* call("POST", `${V1}/products`, {
            headers: { "x-tenant-id": partner.id },
            body: { name: unique("Denied"), type: "service" }
          }),
          403,
          "forbidden"
        )
        expectData(
          yield* call("POST", `${V1}/products`, { key: platformManager, body: { name: unique("Managed"), type: "service" } }),
          201
        )
        expectError(yield* call("GET", `${V1}/products`, { key: null }), 401, "unauthorized")
      }))

    it.effect("lists page through every product in creation order", () =>
      Effect.gen(function* () {
        const made: Array<string> = []
        for (let i = 0; i < 5; i++) made.push((yield* createProduct()).id)
        const { items, pages } = yield* collect(`${V1}/products`, 2)
        const ids = items.map((p) => p.id)
        expect(ids.filter((id) => made.includes(id))).toEqual(made)
        expect(new Set(ids).size).toBe(ids.length)
        expect(pages).toBe(Math.ceil(ids.length / 2))
      }))
  })

  it.layer(TestServer)("countries and cities", (it) => {
    it.effect("only countries and cities where a product is offered, paged", () =>
      Effect.gen(function* () {
        expect(expectData(yield* call("GET", `${V1}/countries`))).toEqual([])
        expectError(yield* call("GET", `${V1}/countries/DE`), 404, "not_found")

        const numbers = yield* createProduct({
          type: "phone_number",
          availability: [
            { country: "US" },
            { country: "US", city: "New York" },
            { country: "DE", city: "Berlin" },
            { country: "DE", city: "Munich" },
            { country: "NL", city: "Amsterdam" }
          ]
        })
        yield* createProduct({ availability: [{ country: "GB" }, { country: "DE", city: "berlin" }] })

        const countries = expectData(yield* call("GET", `${V1}/countries`))
        expect(countries).toEqual([
          { code: "DE", name: "Germany" },
          { code: "GB", name: "United Kingdom" },
          { code: "NL", name: "Netherlands" },
          { code: "US", name: "United States" }
        ])
        const paged = yield* collect(`${V1}/countries`, 1)
        expect(paged.items).toEqual(countries)
        expect(paged.pages).toBe(4)

        expect(expectData(yield* call("GET", `${V1}/countries/NL`))).toEqual({ code: "NL", name: "Netherlands" })
        expect(expectData(yield* call("GET", `${V1}/countries/nl`))).toEqual({ code: "NL", name: "Netherlands" })
        expectError(yield* call("GET", `${V1}/countries/FR`), 404, "not_found")
        expectError(yield* call("GET", `${V1}/countries/ZZ`), 404, "not_found")
        expectError(yield* call("GET", `${V1}/countries/FR/cities`), 404, "not_found")

        const cities = expectData(yield* call("GET", `${V1}/countries/DE/cities`))
        expect(cities.map((c: any) => c.name)).toEqual(["Berlin", "Munich"])
        expect(cities.every((c: any) => /^cty_/.test(c.id) && c.country === "DE")).toBe(true)
        expect(expectData(yield* call("GET", `${V1}/countries/GB/cities`))).toEqual([])
        const berlin = cities[0]
        expect(expectData(yield* call("GET", `${V1}/countries/DE/cities/${berlin.id}`))).toEqual(berlin)
        // A city is addressed through its own country.
        expectError(yield* call("GET", `${V1}/countries/NL/cities/${berlin.id}`), 404, "not_found")
        expectError(yield* call("GET", `${V1}/countries/DE/cities/cty_nosuchcity`), 404, "not_found")
        const citiesPaged = yield* collect(`${V1}/countries/DE/cities`, 1)
        expect(citiesPaged.items).toEqual(cities)

        // Once no product offers Munich, the Netherlands or New York any more, they are gone.
        const munich = cities[1]
        expectData(yield* call("PUT", `${V1}/products/${numbers.id}`, {
          body: { availability: [{ country: "US" }, { country: "DE", city: "Berlin" }] }
        }))
        expect(expectData(yield* call("GET", `${V1}/countries`)).map((c: any) => c.code)).toEqual(["DE", "GB", "US"])
        expectError(yield* call("GET", `${V1}/countries/NL`), 404, "not_found")
        expect(expectData(yield* call("GET", `${V1}/countries/DE/cities`)).map((c: any) => c.id)).toEqual([berlin.id])
        expectError(yield* call("GET", `${V1}/countries/DE/cities/${munich.id}`), 404, "not_found")
        expect(expectData(yield* call("GET", `${V1}/countries/US/cities`))).toEqual([])

        // Every caller reads them.
        const { partnerKey } = yield* channel()
        expect(expectData(yield* call("GET", `${V1}/countries`, { key: partnerKey })).length).toBe(3)
        expectError(yield* call("GET", `${V1}/countries?cursor=${encodeURIComponent("not-a-cursor")}`), 422, "validation_error", "cursor")
      }))
  })

  it.layer(TestServer)("pricing", (it) => {
    it.effect("creates SKUs of every model with decimal strings, and reads and lists them", () =>
      Effect.gen(function* () {
        const graduated = yield* createSku({ code: "voice-minutes", thresholds: [100, 500, 1000] })
        expect(graduated.id).toMatch(/^sku_/)
        expect(graduated).toMatchObject({
          code: "voice-minutes",
          name: "Voice minutes",
          unit: "minute",
          currency: "EUR",
          model: "graduated",
          unit_price: null,
          package_size: null,
          tiers: GRADUATED,
          thresholds: [100, 500, 1000]
        })
        const perUnit = yield* createSku({ model: "per_unit", tiers: undefined, unit_price: "0.015", currency: "USD" })
        expect(perUnit).toMatchObject({ model: "per_unit", unit_price: "0.015", tiers: [], package_size: null })
        const pkg = yield* createSku({ model: "package", tiers: undefined, unit_price: "9.00", package_size: 100 })
        expect(pkg).toMatchObject({ model: "package", unit_price: "9.00", package_size: 100, tiers: [] })
        const volume = yield* createSku({ model: "volume" })
        expect(volume.tiers).toEqual(GRADUATED)

        expect(expectData(yield* call("GET", `${V1}/pricing/${graduated.id}`))).toEqual(graduated)
        const { items } = yield* collect(`${V1}/pricing`, 3)
        expect(items.map((s) => s.id)).toEqual([graduated.id, perUnit.id, pkg.id, volume.id])
        expectError(yield* call("GET", `${V1}/pricing/sku_nosuchsku`), 404, "not_found")
      }))

    it.effect("quotes a quantity with the rating lines (the worked tables of docs/pricing.md)", () =>
      Effect.gen(function* () {
        const graduated = yield* createSku()
        const quote = expectData(yield* call("GET", `${V1}/pricing/${graduated.id}/quote?quantity=2500.5`))
        expect(quote).toEqual({
          sku_id: graduated.id,
          quantity: "2500.5",
          currency: "EUR",
          lines: [
            { tier: 0, units: "100", quantity: "100", unit_price: "0.10", flat_fee: "0", amount: "10.00" },
            { tier: 1, units: "900", quantity: "900", unit_price: "0.08", flat_fee: "5.00", amount: "77.00" },
            { tier: 2, units: "1500.5", quantity: "1500.5", unit_price: "0.05", flat_fee: "0", amount: "75.025" }
          ],
          unrounded: "162.025",
          amount: { amount: "162.03", currency: "EUR" }
        })
        const volume = yield* createSku({ model: "volume" })
        const volumeQuote = expectData(yield* call("GET", `${V1}/pricing/${volume.id}/quote?quantity=1000`))
        expect(volumeQuote.amount).toEqual({ amount: "85.00", currency: "EUR" })
        const pkg = yield* createSku({ model: "package", tiers: undefined, unit_price: "9.00", package_size: 100 })
        const pkgQuote = expectData(yield* call("GET", `${V1}/pricing/${pkg.id}/quote?quantity=250`))
        expect(pkgQuote.lines).toEqual([{ tier: null, units: "250", quantity: "3", unit_price: "9.00", flat_fee: "0", amount: "27.00" }])
        expect(pkgQuote.amount).toEqual({ amount: "27.00", currency: "EUR" })
        const zero = expectData(yield* call("GET", `${V1}/pricing/${graduated.id}/quote?quantity=0`))
        expect(zero).toMatchObject({ lines: [], amount: { amount: "0.00", currency: "EUR" } })

        expectError(yield* call("GET", `${V1}/pricing/${graduated.id}/quote?quantity=-1`), 422, "validation_error", "quantity")
        expectError(yield* call("GET", `${V1}/pricing/${graduated.id}/quote?quantity=1e5`), 422, "validation_error", "quantity")
        expectError(yield* call("GET", `${V1}/pricing/${graduated.id}/quote`), 422, "validation_error", "quantity")
        expectError(yield* call("GET", `${V1}/pricing/sku_nosuchsku/quote?quantity=1`), 404, "not_found")
      }))

    it.effect("refuses invalid pricing with 422 naming the field", () =>
      Effect.gen(function* () {
        const post = (body: Record<string, unknown>) =>
          call("POST", `${V1}/pricing`, {
            body: { code: unique("bad").replace(" ", "-"), name: "Bad", unit: "minute", currency: "EUR", model: "graduated", tiers: GRADUATED, ...body }
          })
        expectError(yield* post({ currency: "XYZ" }), 422, "validation_error", "currency")
        expectError(yield* post({ currency: "eur" }), 422, "validation_error", "currency")
        // Overlapping and unordered tiers.
        expectError(
          yield* post({ tiers: [{ up_to: 100, unit_price: "0.10" }, { up_to: 100, unit_price: "0.08" }, { up_to: null, unit_price: "0.05" }] }),
          422,
          "validation_error",
          "tiers[1].up_to"
        )
        expectError(
          yield* post({ tiers: [{ up_to: 1000, unit_price: "0.10" }, { up_to: 100, unit_price: "0.08" }, { up_to: null, unit_price: "0.05" }] }),
          422,
          "validation_error",
          "tiers[1].up_to"
        )
        expectError(
          yield* post({ tiers: [{ up_to: null, unit_price: "0.10" }, { up_to: 100, unit_price: "0.08" }] }),
          422,
          "validation_error",
          "tiers[0].up_to"
        )
        expectError(yield* post({ tiers: [{ up_to: 100, unit_price: "0.10" }] }), 422, "validation_error", "tiers[0].up_to")
        expectError(yield* post({ tiers: [] }), 422, "validation_error", "tiers")
        expectError(yield* post({ tiers: undefined }), 422, "validation_error", "tiers")
        // Negative prices and fees.
        expectError(
          yield* post({ tiers: [{ up_to: 100, unit_price: "-0.10" }, { up_to: null, unit_price: "0.05" }] }),
          422,
          "validation_error",
          "tiers[0].unit_price"
        )
        expectError(
          yield* post({ tiers: [{ up_to: 100, unit_price: "0.10", flat_fee: "-1" }, { up_to: null, unit_price: "0.05" }] }),
          422,
          "validation_error",
          "tiers[0].flat_fee"
        )
        expectError(yield* post({ model: "per_unit", tiers: undefined, unit_price: "-0.01" }), 422, "validation_error", "unit_price")
        // Shapes: the schema's failure, named as the decoder names paths.
        expectError(
          yield* post({ tiers: [{ up_to: 100, unit_price: 0.1 }, { up_to: null, unit_price: "0.05" }] }),
          422,
          "validation_error",
          "tiers[0].unit_price"
        )
        expectError(yield* post({ model: "per_unit", tiers: undefined, unit_price: "1e5" }), 422, "validation_error", "unit_price")
        // Fields a model does not use, and those it needs.
        expectError(yield* post({ model: "per_unit", unit_price: "0.01" }), 422, "validation_error", "tiers")
        expectError(yield* post({ model: "per_unit", tiers: undefined }), 422, "validation_error", "unit_price")
        expectError(yield* post({ unit_price: "0.01" }), 422, "validation_error", "unit_price")
        expectError(yield* post({ model: "package", tiers: undefined, unit_price: "9.00" }), 422, "validation_error", "package_size")
        expectError(
          yield* post({ model: "package", tiers: undefined, unit_price: "9.00", package_size: 0.5 }),
          422,
          "validation_error",
          "package_size"
        )
        expectError(yield* post({ package_size: 10 }), 422, "validation_error", "package_size")
        expectError(
          yield* post({ model: "package", tiers: undefined, unit_price: "9.00", package_size: 5_000_000_000 }),
          422,
          "validation_error",
          "package_size"
        )
        // Thresholds.
        expectError(yield* post({ thresholds: [100, 500, 100] }), 422, "validation_error", "thresholds[2]")
        expectError(yield* post({ thresholds: [0] }), 422, "validation_error", "thresholds[0]")
        expectError(yield* post({ code: "has space" }), 422, "validation_error", "code")
        // Codes are unique whatever their case.
        const sku = yield* createSku()
        expectError(yield* post({ code: sku.code.toUpperCase() }), 409, "duplicate_sku", "code")
      }))

    it.effect("updates a SKU partially; changing the model clears the fields it does not use", () =>
      Effect.gen(function* () {
        const sku = yield* createSku({ thresholds: [1000] })
        const renamed = expectData(yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { name: "Minutes" } }))
        expect(renamed).toMatchObject({ ...sku, name: "Minutes", updated_at: renamed.updated_at })
        const perUnit = expectData(yield* call("PUT", `${V1}/pricing/${sku.id}`, {
          body: { model: "per_unit", unit_price: "0.02" }
        }))
        expect(perUnit).toMatchObject({ model: "per_unit", unit_price: "0.02", tiers: [], thresholds: [1000] })
        // Back to tiers: they must be sent again, and unit_price goes.
        expectError(
          yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { model: "volume" } }),
          422,
          "validation_error",
          "tiers"
        )
        const volume = expectData(yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { model: "volume", tiers: GRADUATED } }))
        expect(volume).toMatchObject({ model: "volume", unit_price: null, tiers: GRADUATED })
        expectError(
          yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { tiers: [{ up_to: 5, unit_price: "1" }] } }),
          422,
          "validation_error",
          "tiers[0].up_to"
        )
        expectError(yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { currency: "ABC" } }), 422, "validation_error", "currency")
        // Not used by a plan yet: the currency may change.
        expect(expectData(yield* call("PUT", `${V1}/pricing/${sku.id}`, { body: { currency: "USD" } })).currency).toBe("USD")
        expectError(yield* call("PUT", `${V1}/pricing/sku_nosuchsku`, { body: { name: "X" } }), 404, "not_found")
        const { partnerKey } = yield* channel()
        expectError(yield* call("PUT", `${V1}/pricing/${sku.id}`, { key: partnerKey, body: { name: "X" } }), 403, "forbidden")
        expectError(
          yield* call("POST", `${V1}/pricing`, {
            key: partnerKey,
            body: { code: "partner-sku", name: "X", unit: "u", currency: "EUR", model: "per_unit", unit_price: "1" }
          }),
          403,
          "forbidden"
        )
        expect(expectData(yield* call("GET", `${V1}/pricing/${sku.id}/quote?quantity=1`, { key: partnerKey })).sku_id).toBe(sku.id)
      }))
  })

  it.layer(TestServer)("plans", (it) => {
    it.effect("creates version 1 as a draft; a PUT makes a new draft version; publish makes it current", () =>
      Effect.gen(function* () {
        const product = yield* createProduct({ type: "license" })
        const minutes = yield* createSku()
        const addon = yield* createPlan((yield* createProduct()).id, { price: { amount: "4.00", currency: "EUR" } })
        const v1 = yield* createPlan(product.id, {
          name: "UCaaS Seat 12-Month",
          price: { amount: "10.00", currency: "EUR" },
          commitment_months: 12,
          addon_plan_ids: [addon.id],
          sku_ids: [minutes.id]
        })
        expect(v1.id).toMatch(/^pln_/)
        expect(v1).toMatchObject({
          product_id: product.id,
          name: "UCaaS Seat 12-Month",
          version: 1,
          status: "draft",
          price: { amount: "10.00", currency: "EUR" },
          billing_interval: "month",
          commitment_months: 12,
          addon_plan_ids: [addon.id],
          sku_ids: [minutes.id],
          published_version: null
        })
        expect(expectData(yield* call("GET", `${V1}/plans/${v1.id}`))).toEqual(v1)

        const published1 = expectData(yield* call("POST", `${V1}/plans/${v1.id}/publish`))
        expect(published1).toMatchObject({ version: 1, status: "published", published_version: 1 })
        expectError(yield* call("POST", `${V1}/plans/${v1.id}/publish`, { body: {} }), 409, "invalid_state")

        const v2 = expectData(yield* call("PUT", `${V1}/plans/${v1.id}`, { body: { price: { amount: "11.00", currency: "EUR" } } }))
        expect(v2).toMatchObject({
          id: v1.id,
          version: 2,
          status: "draft",
          name: "UCaaS Seat 12-Month",
          price: { amount: "11.00", currency: "EUR" },
          commitment_months: 12,
          addon_plan_ids: [addon.id],
          sku_ids: [minutes.id],
          published_version: 1
        })
        // The latest version by default; the earlier ones stay as they were.
        expect(expectData(yield* call("GET", `${V1}/plans/${v1.id}`))).toEqual(v2)
        expect(expectData(yield* call("GET", `${V1}/plans/${v1.id}?version=1`))).toMatchObject({
          version: 1,
          status: "published",
          price: { amount: "10.00", currency: "EUR" },
          published_version: 1
        })

        const v3 = expectData(yield* call("PUT", `${V1}/plans/${v1.id}`, { body: { commitment_months: null, name: "UCaaS Seat" } }))
        expect(v3).toMatchObject({ version: 3, status: "draft", commitment_months: null, name: "UCaaS Seat", price: { amount: "11.00" } })
        const published3 = expectData(yield* call("POST", `${V1}/plans/${v1.id}/publish`, { body: {} }))
        expect(published3).toMatchObject({ version: 3, status: "published", published_version: 3 })
        expect(expectData(yield* call("GET", `${V1}/plans/${v1.id}?version=1`)).status).toBe("retired")
        // A draft that was never published stays a draft.
        expect(expectData(yield* call("GET", `${V1}/plans/${v1.id}?version=2`)).status).toBe("draft")
        expectError(yield* call("POST", `${V1}/plans/${v1.id}/publish`), 409, "invalid_state")

        expectError(yield* call("GET", `${V1}/plans/${v1.id}?version=9`), 404, "not_found")
        expectError(yield* call("GET", `${V1}/plans/${v1.id}?version=two`), 422, "validation_error", "version")
        expectError(yield* call("GET", `${V1}/plans/pln_nosuchplan`), 404, "not_found")
        expectError(yield* call("PUT", `${V1}/plans/pln_nosuchplan`, { body: { name: "X" } }), 404, "not_found")
        expectError(yield* call("POST", `${V1}/plans/pln_nosuchplan/publish`), 404, "not_found")

        // Lists show each plan's latest version, and filter by product.
        const listed = expectData(yield* call("GET", `${V1}/plans?product_id=${product.id}`))
        expect(listed).toEqual([published3])
        const all = expectData(yield* call("GET", `${V1}/plans`))
        expect(all.map((p: any) => [p.id, p.version])).toEqual([[addon.id, 1], [v1.id, 3]])
      }))

    it.effect("a PUT takes what it does not change only as it is: a plan's product and status, any record's id", () =>
      Effect.gen(function* () {
        const product = yield* createProduct()
        const other = yield* createProduct()
        const plan = yield* createPlan(product.id)
        expectData(yield* call("POST", `${V1}/plans/${plan.id}/publish`))
        const published = expectData(yield* call("GET", `${V1}/plans/${plan.id}`))
        // Read and sent back whole: taken, as a new draft version.
        const { updated_at: _sentBack, ...whole } = published
        expect(expectData(yield* call("PUT", `${V1}/plans/${plan.id}`, { body: { ...whole, name: "Renamed" } })))
          .toMatchObject({ version: 2, status: "draft", name: "Renamed", product_id: product.id })
        // Another value is 422 naming the field, never a 200 (and a new version) that ignored it.
        for (const [field, value, message] of [
          ["status", "retired", /POST \/plans\/\{planId\}\/publish/],
          ["product_id", other.id, /stays with its product/],
          ["version", 7, /cannot be changed/],
          ["id", "pln_0123", /cannot be changed/]
        ] as const) {
          const refused = yield* call("PUT", `${V1}/plans/${plan.id}`, { body: { [field]: value } })
          expectError(refused, 422, "validation_error", field)
          expect(refused.body.error.message).toMatch(message)
        }
        expect(expectData(yield* call("GET", `${V1}/plans/${plan.id}`))).toMatchObject({ version: 2, product_id: product.id })
        for (const path of [`${V1}/products/${product.id}`, `${V1}/pricing/${(yield* createSku()).id}`]) {
          const record = expectData(yield* call("GET", path))
          const { updated_at: _at, ...same } = record
          expectData(yield* call("PUT", path, { body: same }))
          expectError(yield* call("PUT", path, { body: { id: `${record.id}0` } }), 422, "validation_error", "id")
          expectError(yield* call("PUT", path, { body: { created_at: "2020-01-01T00:00:00.000Z" } }), 422, "validation_error", "created_at")
        }
      }))

    it.effect("refuses invalid plans with 422 naming the field, duplicates with 409", () =>
      Effect.gen(function* () {
        const product = yield* createProduct()
        const eurSku = yield* createSku()
        const usdSku = yield* createSku({ currency: "USD" })
        const usdPlan = yield* createPlan(product.id, { price: { amount: "1.00", currency: "USD" } })
        const post = (body: Record<string, unknown>) =>
          call("POST", `${V1}/plans`, {
            body: {
              product_id: product.id,
              name: unique("Invalid"),
              price: { amount: "12.00", currency: "EUR" },
              billing_interval: "month",
              ...body
            }
          })
        expectError(yield* post({ product_id: "prd_nosuchproduct" }), 422, "validation_error", "product_id")
        expectError(yield* post({ product_id: "nope" }), 422, "validation_error", "product_id")
        expectError(yield* post({ price: { amount: "-1.00", currency: "EUR" } }), 422, "validation_error", "price.amount")
        expectError(yield* post({ price: { amount: "12.00", currency: "XYZ" } }), 422, "validation_error", "price.currency")
        expectError(yield* post({ price: { amount: 12, currency: "EUR" } }), 422, "validation_error", "price.amount")
        expectError(yield* post({ billing_interval: "week" }), 422, "validation_error", "billing_interval")
        expectError(yield* post({ commitment_months: 0 }), 422, "validation_error", "commitment_months")
        expectError(
          yield* post({ billing_interval: "year", commitment_months: 18 }),
          422,
          "validation_error",
          "commitment_months"
        )
        expectError(yield* post({ addon_plan_ids: ["pln_nosuchplan"] }), 422, "validation_error", "addon_plan_ids[0]")
        expectError(yield* post({ addon_plan_ids: [usdPlan.id] }), 422, "validation_error", "addon_plan_ids[0]")
        expectError(yield* post({ sku_ids: [eurSku.id, "sku_nosuchsku"] }), 422, "validation_error", "sku_ids[1]")
        expectError(yield* post({ sku_ids: [eurSku.id, eurSku.id] }), 422, "validation_error", "sku_ids[1]")
        expectError(yield* post({ sku_ids: [usdSku.id] }), 422, "validation_error", "sku_ids[0]")
        expectError(yield* post({ name: usdPlan.name.toLowerCase() }), 409, "duplicate_plan", "name")

        const plan = yield* createPlan(product.id, { sku_ids: [eurSku.id] })
        expectError(yield* call("PUT", `${V1}/plans/${plan.id}`, { body: { addon_plan_ids: [plan.id] } }), 422, "validation_error", "addon_plan_ids[0]")
        expectError(
          yield* call("PUT", `${V1}/plans/${plan.id}`, { body: { price: { amount: "1.00", currency: "USD" } } }),
          422,
          "validation_error",
          "sku_ids[0]"
        )
        expectError(yield* call("PUT", `${V1}/plans/${plan.id}`, { body: { name: usdPlan.name } }), 409, "duplicate_plan", "name")
        // A failed change makes no version.
        expect(expectData(yield* call("GET", `${V1}/plans/${plan.id}`)).version).toBe(1)
        // A SKU that a plan meters keeps its currency.
        expectError(yield* call("PUT", `${V1}/pricing/${eurSku.id}`, { body: { currency: "USD" } }), 422, "validation_error", "currency")
      }))

    it.effect("only platform admins and managers write plans; everyone reads them", () =>
      Effect.gen(function* () {
        const { distributorKey, partnerKey } = yield* channel("free")
        const product = yield* createProduct()
        const plan = yield* createPlan(product.id)
        for (const key of [distributorKey, partnerKey]) {
          expectError(
            yield* call("POST", `${V1}/plans`, {
              key,
              body: { product_id: product.id, name: unique("Denied"), price: { amount: "1.00", currency: "EUR" }, billing_interval: "month" }
            }),
            403,
            "forbidden"
          )
          expectError(yield* call("PUT", `${V1}/plans/${plan.id}`, { key, body: { name: "X" } }), 403, "forbidden")
          expectError(yield* call("POST", `${V1}/plans/${plan.id}/publish`, { key }), 403, "forbidden")
          expect(expectData(yield* call("GET", `${V1}/plans/${plan.id}`, { key })).id).toBe(plan.id)
          expect(expectData(yield* call("GET", `${V1}/plans`, { key })).length).toBeGreaterThan(0)
        }
        expect(expectData(yield* call("GET", `${V1}/plans/${plan.id}`)).version).toBe(1)
      }))

    it.effect("lists page through plans", () =>
      Effect.gen(function* () {
        const product = yield* createProduct()
        const made: Array<string> = []
        for (let i = 0; i < 5; i++) made.push((yield* createPlan(product.id)).id)
        const { items, pages } = yield* collect(`${V1}/plans?product_id=${product.id}`, 2)
        expect(items.map((p) => p.id)).toEqual(made)
        expect(pages).toBe(3)
      }))
  })
})
