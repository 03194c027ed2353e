import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { type Answer, call as request, callAndTick as call, channel, createKey, expectData, expectError, TestServer, withSettings } from "./harness"


const V1 = "/api/v1"

/** A field inside a list, as the decoder names it (`numbers[1]`; `numbers.1` before that notation). */
const item = (list: string, index: number, rest = "") =>
  new RegExp(`^${list}(\\[${index}\\]|\\.${index})${rest.replace(".", "\\.")}$`)

let names = 0
const unique = (name: string) => `${name} ${++names}`

/** Numbers no other test of the file uses: `+49` and a block of its own per call. */
let blocks = 0
const block = (count: number, prefix = "30") => {
  const base = 10_000 * ++blocks
  return Array.from({ length: count }, (_, i) => `+49${prefix}${String(base + i).padStart(8, "0")}`)
}

/** A phone-number product offered in Berlin, Hamburg and the whole of the US. */
const numberProduct = Effect.suspend(() => call("POST", `${V1}/products`, {
    body: {
      name: unique("Local numbers"),
      type: "phone_number",
      availability: [{ country: "DE", city: "Berlin" }, { country: "DE", city: "Hamburg" }, { country: "US" }]
    }
  })).pipe(Effect.map((answer) => {
    const product = expectData(answer, 201)
    return { id: product.id as string, berlin: product.availability[0].city_id as string, hamburg: product.availability[1].city_id as string }
  }))

const addNumbers = (body: Record<string, unknown>, key?: string) => call("POST", `${V1}/numbers`, { body, key })

const added = (body: Record<string, unknown>) => Effect.map(addNumbers(body), (answer) => expectData(answer, 201))

/** Every available number a search finds, following `next_cursor` with the given page size. */
const searchAll = (query: string, limit = 200) =>
  Effect.gen(function* () {
    const numbers: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const answer: Answer = yield* call(
        "GET",
        `${V1}/numbers?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`
      )
      const data = expectData(answer)
      expect(data.length).toBeLessThanOrEqual(limit)
      numbers.push(...data.map((n: any) => n.number))
      cursor = answer.body.meta.page.next_cursor
      pages++
    } while (cursor !== null && pages < 100)
    return { numbers, pages }
  })

/** A customer of the channel's partner, with an admin key of its own. */
const customer = (partnerId: string, name = "Customer") =>
  Effect.gen(function* () {
    const created = expectData(yield* call("POST", `${V1}/customers`, { body: { name, partner_id: partnerId } }), 201)
    return { id: created.id as string, key: yield* createKey(created.id) }
  })

const reserve = (customerId: string, body: Record<string, unknown>, key?: string) =>
  call("POST", `${V1}/customers/${customerId}/reservations`, { body, key })

describe("number inventory", () => {
  it.layer(TestServer)("adding numbers", (it) => {
    it.effect("adds numbers; those already present (or listed twice) are reported, not added again", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const [a, b, c, d] = block(4)
        const first = yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers: [a, b, c] })
        expect(first).toEqual({ added: 3, already_present: [] })
        const again = yield* added({ product_id: product.id, country: "DE", city: "berlin", numbers: [b, c, d, d] })
        expect(again).toEqual({ added: 1, already_present: [b, c, d] })

        // A range, the city named by its id; a range overlapping it adds only what is new.
        const range = yield* added({
          product_id: product.id,
          country: "DE",
          city: product.hamburg,
          range: { from: "+494012340000", to: "+494012340009" }
        })
        expect(range).toEqual({ added: 10, already_present: [] })
        const overlap = yield* added({
          product_id: product.id,
          country: "DE",
          city: "Hamburg",
          range: { from: "+494012340008", to: "+494012340011" }
        })
        expect(overlap).toEqual({ added: 2, already_present: ["+494012340008", "+494012340009"] })

        // Whole-country numbers (no city).
        expect(yield* added({ product_id: product.id, country: "US", numbers: ["+18005550100"] })).toEqual({
          added: 1,
          already_present: []
        })

        const berlin = yield* searchAll(`product_id=${product.id}&city=${product.berlin}`)
        expect(berlin.numbers).toEqual([a, b, c, d])
        const all = yield* searchAll(`product_id=${product.id}`)
        expect(all.numbers).toHaveLength(4 + 12 + 1)
        expect(new Set(all.numbers).size).toBe(all.numbers.length)
        const one = expectData(yield* call("GET", `${V1}/numbers?product_id=${product.id}&country=US`))
        expect(one).toEqual([{
          number: "+18005550100",
          product_id: product.id,
          country: "US",
          city_id: null,
          status: "available",
          created_at: expect.any(String),
          updated_at: expect.any(String)
        }])
      }))

    it.effect("refuses a malformed E.164 number with 422 naming the field", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const post = (numbers: ReadonlyArray<unknown>) => addNumbers({ product_id: product.id, country: "DE", numbers })
        const [good] = block(1)
        for (const bad of ["+4930123", "4930123456789", "+04930123456", "+49 30 1234567", "+4930123456789012", "+49301234567a"]) {
          expectError(yield* post([good, bad]), 422, "validation_error", item("numbers", 1))
        }
        expectError(yield* post([4930123456789]), 422, "validation_error", item("numbers", 0))
        // Nothing of a refused call went in.
        expect((yield* searchAll(`product_id=${product.id}`)).numbers).toEqual([])

        const range = (from: string, to: string) =>
          addNumbers({ product_id: product.id, country: "DE", range: { from, to } })
        expectError(yield* range("+4930", "+493012345678"), 422, "validation_error", "range.from")
        expectError(yield* range("+493012345678", "+49301234567"), 422, "validation_error", "range.to")
        expectError(yield* range("+493012345678", "+493012345670"), 422, "validation_error", "range.to")
        expectError(yield* range("+493010000000", "+493010010000"), 422, "validation_error", "range")
        expectError(
          yield* addNumbers({ product_id: product.id, country: "DE", numbers: [good], range: { from: good, to: good } }),
          422,
          "validation_error",
          "range"
        )
        expectError(yield* addNumbers({ product_id: product.id, country: "DE" }), 422, "validation_error", "numbers")
        expectError(yield* post(Array.from({ length: 10_001 }, () => good)), 422, "validation_error", "numbers")
      }))

    it.effect("checks the product, country and city", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const numbers = block(1)
        expectError(yield* addNumbers({ product_id: "prd_nosuchproduct", country: "DE", numbers }), 422, "validation_error", "product_id")
        expectError(yield* addNumbers({ product_id: "cus_1", country: "DE", numbers }), 422, "validation_error", "product_id")
        const service = expectData(yield* call("POST", `${V1}/products`, {
          body: { name: unique("Support"), type: "service", availability: [{ country: "DE" }] }
        }), 201)
        const notNumbers = yield* addNumbers({ product_id: service.id, country: "DE", numbers })
        expectError(notNumbers, 422, "validation_error", "product_id")
        expect(notNumbers.body.error.message).toContain("phone_number")
        expectError(yield* addNumbers({ product_id: product.id, country: "FR", numbers }), 422, "validation_error", "country")
        expectError(yield* addNumbers({ product_id: product.id, country: "de", numbers }), 422, "validation_error", "country")
        expectError(yield* addNumbers({ product_id: product.id, country: "DE", city: "Munich", numbers }), 422, "validation_error", "city")
        // Berlin is a city of DE, not of the US.
        expectError(yield* addNumbers({ product_id: product.id, country: "US", city: product.berlin, numbers }), 422, "validation_error", "city")
      }))

    it.effect("only platform admins add numbers", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const { distributorKey, partnerKey } = yield* channel()
        const me = expectData(yield* call("GET", `${V1}/me`))
        const platformManager = yield* createKey(me.account_id, "manager")
        const body = { product_id: product.id, country: "DE", numbers: block(1) }
        for (const key of [platformManager, distributorKey, partnerKey]) {
          expectError(yield* addNumbers(body, key), 403, "forbidden")
        }
        expect(yield* added(body)).toEqual({ added: 1, already_present: [] })
      }))
  })

  it.layer(TestServer)("search", (it) => {
    it.effect("searches by product, country, city, digits and prefix, page by page", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const other = yield* numberProduct
        const berlin = block(25)
        const hamburg = block(15, "40")
        const us = Array.from({ length: 10 }, (_, i) => `+1212555${String(100 + i).padStart(4, "0")}`)
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers: berlin })
        yield* added({ product_id: product.id, country: "DE", city: "Hamburg", numbers: hamburg })
        yield* added({ product_id: product.id, country: "US", numbers: us })
        const elsewhere = block(5)
        yield* added({ product_id: other.id, country: "DE", city: "Berlin", numbers: elsewhere })

        const sorted = (list: ReadonlyArray<string>) => [...list].sort()
        const p = `product_id=${product.id}`
        expect((yield* searchAll(p)).numbers).toEqual(sorted([...berlin, ...hamburg, ...us]))
        expect((yield* searchAll(`${p}&country=DE`)).numbers).toEqual(sorted([...berlin, ...hamburg]))
        expect((yield* searchAll(`${p}&country=de&city=berlin`)).numbers).toEqual(berlin)
        expect((yield* searchAll(`${p}&city=${product.hamburg}`)).numbers).toEqual(hamburg)
        expect((yield* searchAll(`${p}&country=US`)).numbers).toEqual(us)
        // Another product's numbers in the same city are its own.
        expect((yield* searchAll(`product_id=${other.id}&city=${product.berlin}`)).numbers).toEqual(elsewhere)
        expect((yield* searchAll(`country=DE&city=Berlin`)).numbers).toEqual(expect.arrayContaining([...berlin, ...elsewhere]))

        // Digits anywhere, and a prefix.
        const target = berlin[17]!
        const tail = target.slice(-6)
        expect((yield* searchAll(`${p}&contains=${tail}`)).numbers).toEqual([target])
        expect((yield* searchAll(`contains=${tail}`)).numbers).toEqual([target])
        expect((yield* searchAll(`${p}&contains=2125550`)).numbers).toEqual(us)
        expect((yield* searchAll(`${p}&country=US&contains=555010`)).numbers).toEqual(us)
        expect((yield* searchAll(`${p}&starts_with=%2B1212`)).numbers).toEqual(us)
        expect((yield* searchAll(`${p}&starts_with=1212555010`)).numbers).toEqual(us.slice(0, 10))
        expect((yield* searchAll(`${p}&city=Hamburg&country=DE&contains=${tail}`)).numbers).toEqual([])
        // A city nobody offers finds nothing.
        expect((yield* searchAll(`${p}&country=DE&city=Atlantis`)).numbers).toEqual([])

        // Pages of 7 in number order: every number once, the cursor stable.
        const paged = yield* searchAll(`${p}&country=DE`, 7)
        expect(paged.pages).toBe(6)
        expect(paged.numbers).toEqual(sorted([...berlin, ...hamburg]))
        const firstPage = yield* call("GET", `${V1}/numbers?${p}&country=DE&limit=7`)
        expect(firstPage.body.meta.page).toEqual({ limit: 7, next_cursor: expect.any(String) })
      }))

    it.effect("refuses criteria it cannot read, naming them", () =>
      Effect.gen(function* () {
        expectError(yield* call("GET", `${V1}/numbers?country=XX`), 422, "validation_error", "country")
        expectError(yield* call("GET", `${V1}/numbers?contains=49a`), 422, "validation_error", "contains")
        expectError(yield* call("GET", `${V1}/numbers?starts_with=%2B49-30`), 422, "validation_error", "starts_with")
        expectError(yield* call("GET", `${V1}/numbers?city=Berlin`), 422, "validation_error", "city")
        expectError(yield* call("GET", `${V1}/numbers?cursor=bm90X2FfY3Vyc29y`), 422, "validation_error", "cursor")
        expectError(yield* call("GET", `${V1}/numbers?limit=many`), 422, "validation_error", "limit")
      }))

    it.effect("only available numbers show: assigned, porting and quarantined ones do not", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const product = yield* numberProduct
        const numbers = block(5)
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers })
        const [available, assigned, porting, quarantined, last] = numbers as [string, string, string, string, string]
        yield* sql`update numbers set state = 'assigned' where number = ${assigned}`
        yield* sql`update numbers set state = 'porting' where number = ${porting}`
        yield* sql`update numbers set state = 'quarantined' where number = ${quarantined}`
        expect((yield* searchAll(`product_id=${product.id}`)).numbers).toEqual([available, last])
        // Nor can they be reserved.
        const { partner } = yield* channel()
        const buyer = yield* customer(partner.id)
        const refused = yield* reserve(buyer.id, { numbers: [available, porting] })
        expectError(refused, 409, "number_unavailable", "numbers")
        expect(refused.body.error.message).toContain(porting)
        expect(refused.body.error.message).not.toContain(available)
        // The refusal held nothing: the available one is still there.
        expect((yield* searchAll(`product_id=${product.id}`)).numbers).toEqual([available, last])
      }))
  })

  it.layer(TestServer)("reservations", (it) => {
    it.effect("a reservation holds numbers out of search until it expires; then another customer may take them, with no job run", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const product = yield* numberProduct
        const numbers = block(3)
        const [n1, n2, n3] = numbers as [string, string, string]
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers })
        const { partner } = yield* channel()
        const c1 = yield* customer(partner.id, "C1")
        const c2 = yield* customer(partner.id, "C2")
        const search = Effect.map(searchAll(`product_id=${product.id}`), (found) => found.numbers)

        const held = yield* reserve(c1.id, { numbers: [n2, n1] }, c1.key)
        const reservation = expectData(held, 201)
        expect(reservation).toMatchObject({ customer_id: c1.id, numbers: [n2, n1], status: "active", released_at: null })
        expect(reservation.id).toMatch(/^res_/)
        // The default hold: 30 minutes.
        expect(Date.parse(reservation.expires_at) - Date.parse(reservation.created_at)).toBe(30 * 60_000)
        expect(yield* search).toEqual([n3])

        // Another customer cannot have them meanwhile; 409 names the number.
        const refused = yield* reserve(c2.id, { numbers: [n1] }, c2.key)
        expectError(refused, 409, "number_unavailable", "numbers")
        expect(refused.body.error.message).toContain(n1)
        // Nor may the holder take them twice.
        expectError(yield* reserve(c1.id, { numbers: [n1] }), 409, "number_unavailable")

        const path = `${V1}/customers/${c1.id}/reservations/${reservation.id}`
        expect(expectData(yield* call("GET", path))).toEqual(reservation)
        expect(expectData(yield* call("GET", `${V1}/customers/${c1.id}/reservations`)).map((r: any) => r.id)).toEqual([
          reservation.id
        ])

        // Just before the end it still holds; past it, the numbers are available again, although
        // nothing has touched their rows.
        yield* TestClock.adjust("29 minutes")
        expect(yield* search).toEqual([n3])
        yield* TestClock.adjust("2 minutes")
        expect(yield* search).toEqual([n1, n2, n3])
        const rows = yield* sql<{ state: string }>`select state from numbers where number = ${n1}`
        expect(rows[0]!.state).toBe("reserved")
        expect(expectData(yield* call("GET", path)).status).toBe("expired")

        // Another customer takes one of them.
        const taken = expectData(yield* reserve(c2.id, { numbers: [n1], ttl_minutes: 5 }, c2.key), 201)
        expect(Date.parse(taken.expires_at) - Date.parse(taken.created_at)).toBe(5 * 60_000)
        expect(yield* search).toEqual([n2, n3])

        // Releasing C1's expired reservation frees what it still holds (n2), not what C2 took.
        expect((yield* call("DELETE", path, { key: c1.key })).status).toBe(204)
        expect(expectData(yield* call("GET", path))).toMatchObject({ status: "released", released_at: expect.any(String) })
        expect(yield* search).toEqual([n2, n3])
        const n2Row = yield* sql<{ state: string; reservation_id: string | null }>`
          select state, reservation_id from numbers where number = ${n2}`
        expect(n2Row[0]).toEqual({ state: "available", reservation_id: null })

        // DELETE releases an active reservation at once; releasing it again changes nothing.
        const c2Path = `${V1}/customers/${c2.id}/reservations/${taken.id}`
        expect((yield* call("DELETE", c2Path, { key: c2.key })).status).toBe(204)
        expect(yield* search).toEqual([n1, n2, n3])
        expect((yield* call("DELETE", c2Path, { key: c2.key })).status).toBe(204)
        expect(expectData(yield* call("GET", c2Path)).status).toBe("released")
        // And the number can be held again.
        expectData(yield* reserve(c1.id, { numbers: [n1] }), 201)
      }))

    it.effect("validates the request: numbers in the inventory, listed once, a sane ttl", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const [known, unknown] = block(2)
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers: [known] })
        const { partner } = yield* channel()
        const c = yield* customer(partner.id)
        expectError(yield* reserve(c.id, { numbers: [known, unknown] }), 422, "validation_error", "numbers[1]")
        expectError(yield* reserve(c.id, { numbers: [known, known] }), 422, "validation_error", "numbers[1]")
        expectError(yield* reserve(c.id, { numbers: ["+49 30 1"] }), 422, "validation_error", item("numbers", 0))
        expectError(yield* reserve(c.id, { numbers: [] }), 422, "validation_error", "numbers")
        expectError(yield* reserve(c.id, { numbers: [known], ttl_minutes: 0 }), 422, "validation_error", "ttl_minutes")
        expectError(yield* reserve(c.id, { numbers: [known], ttl_minutes: 1441 }), 422, "validation_error", "ttl_minutes")
        // None of it held the known number.
        expect((yield* searchAll(`product_id=${product.id}`)).numbers).toEqual([known])
      }))

    it.effect("scope: another partner's callers get 404, viewers 403 on writes; free editions may reserve", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const numbers = block(4)
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers })
        const mine = yield* channel()
        const foreign = yield* channel()
        const free = yield* channel("free")
        const c1 = yield* customer(mine.partner.id, "C1")
        const sibling = yield* customer(mine.partner.id, "Sibling")
        const viewer = yield* createKey(mine.partner.id, "viewer")
        const base = `${V1}/customers/${c1.id}/reservations`
        const reservation = expectData(yield* reserve(c1.id, { numbers: [numbers[0]] }, mine.partnerKey), 201)
        const path = `${base}/${reservation.id}`

        for (const key of [foreign.partnerKey, foreign.distributorKey, free.partnerKey, sibling.key]) {
          expectError(yield* call("GET", base, { key }), 404, "not_found")
          expectError(yield* call("GET", path, { key }), 404, "not_found")
          expectError(yield* reserve(c1.id, { numbers: [numbers[1]] }, key), 404, "not_found")
          expectError(yield* call("DELETE", path, { key }), 404, "not_found")
        }
        // A reservation id under another customer of the same partner is not found either.
        expectError(yield* call("GET", `${V1}/customers/${sibling.id}/reservations/${reservation.id}`), 404, "not_found")

        expect(expectData(yield* call("GET", base, { key: viewer })).map((r: any) => r.id)).toEqual([reservation.id])
        expectError(yield* reserve(c1.id, { numbers: [numbers[1]] }, viewer), 403, "forbidden")
        expectError(yield* call("DELETE", path, { key: viewer }), 403, "forbidden")
        expect(expectData(yield* call("GET", path)).status).toBe("active")

        // The customer itself, and a customer of a free partner: reservations are not orders.
        expectData(yield* reserve(c1.id, { numbers: [numbers[1]] }, c1.key), 201)
        const freeCustomer = yield* customer(free.partner.id, "Free")
        expectData(yield* reserve(freeCustomer.id, { numbers: [numbers[2]] }, free.partnerKey), 201)
        expectData(yield* reserve(freeCustomer.id, { numbers: [numbers[3]] }, freeCustomer.key), 201)
      }))

    it.effect("two customers reserving the same number at once: one 201, one 409, and it is reserved once", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const product = yield* numberProduct
        const { partner } = yield* channel()
        const c1 = yield* customer(partner.id, "C1")
        const c2 = yield* customer(partner.id, "C2")
        const numbers = block(12)
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers })
        // Several rounds: one number alone, and overlapping lists claimed in opposite orders.
        const rounds: Array<[ReadonlyArray<string>, ReadonlyArray<string>]> = [
          [[numbers[0]!], [numbers[0]!]],
          [[numbers[1]!], [numbers[1]!]],
          [[numbers[2]!], [numbers[2]!]],
          [[numbers[3]!, numbers[4]!, numbers[5]!], [numbers[5]!, numbers[4]!, numbers[3]!]],
          [[numbers[6]!, numbers[7]!], [numbers[8]!, numbers[7]!]],
          [[numbers[9]!, numbers[10]!, numbers[11]!], [numbers[11]!, numbers[10]!, numbers[9]!]]
        ]
        for (const [first, second] of rounds) {
          const answers = yield* Effect.all([
            request("POST", `${V1}/customers/${c1.id}/reservations`, { body: { numbers: first }, key: c1.key }),
            request("POST", `${V1}/customers/${c2.id}/reservations`, { body: { numbers: second }, key: c2.key })
          ], { concurrency: 2 })
          expect(answers.map((a) => a.status).sort(), answers.map((a) => a.text).join("\n")).toEqual([201, 409])
          const winner = answers.find((a) => a.status === 201)!.body.data
          const loser = answers.find((a) => a.status === 409)!
          expect(loser.body.error.code).toBe("number_unavailable")
          const contested = first.filter((n) => second.includes(n))
          for (const n of contested) expect(loser.body.error.message).toContain(n)

          // Every number the winner asked for is held by its reservation, and only by it.
          const rows = yield* sql<{ number: string; state: string; reservation_id: string }>`
            select number, state, reservation_id from numbers where number = any(${[...first, ...second]}::text[])`
          for (const row of rows) {
            if (winner.numbers.includes(row.number)) expect(row).toMatchObject({ state: "reserved", reservation_id: winner.id })
            else expect(row).toMatchObject({ state: "available", reservation_id: null })
          }
          const holding = yield* sql<{ id: string }>`
            select id from reservations where numbers && ${contested}::text[]`
          expect(holding.map((r) => r.id)).toEqual([winner.id])
          yield* TestClock.adjust("1 millis")
        }
      }))

    it.effect("both claims queued behind a lock on the number still end in one 201 and one 409", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const product = yield* numberProduct
        const { partner } = yield* channel()
        const c1 = yield* customer(partner.id, "C1")
        const c2 = yield* customer(partner.id, "C2")
        const [number] = block(1) as [string]
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers: [number] })
        // A transaction of the test's own holds the row; both reservations arrive meanwhile, wait
        // for it (on a server: for the row lock; embedded: for the one session), then race.
        const locked = yield* Deferred.make<void>()
        const blocker = yield* sql.withTransaction(Effect.gen(function* () {
          yield* sql`select number from numbers where number = ${number} for update`
          yield* Deferred.succeed(locked, undefined)
          yield* sql`select pg_sleep(0.5)`
        })).pipe(Effect.fork)
        yield* Deferred.await(locked)
        const answers = yield* Effect.all([
          request("POST", `${V1}/customers/${c1.id}/reservations`, { body: { numbers: [number] }, key: c1.key }),
          request("POST", `${V1}/customers/${c2.id}/reservations`, { body: { numbers: [number] }, key: c2.key })
        ], { concurrency: 2 })
        yield* Fiber.join(blocker)
        expect(answers.map((a) => a.status).sort(), answers.map((a) => a.text).join("\n")).toEqual([201, 409])
        const winner = answers.find((a) => a.status === 201)!.body.data
        const rows = yield* sql<{ state: string; reservation_id: string }>`
          select state, reservation_id from numbers where number = ${number}`
        expect(rows).toEqual([{ state: "reserved", reservation_id: winner.id }])
        const holding = yield* sql<{ id: string }>`select id from reservations where ${number} = any(numbers)`
        expect(holding.map((r) => r.id)).toEqual([winner.id])
      }))
  })

  it.layer(withSettings({ PROVISIO_RESERVATION_TTL_MINUTES: "5" })(TestServer))("configuration", (it) => {
    it.effect("PROVISIO_RESERVATION_TTL_MINUTES sets the default hold", () =>
      Effect.gen(function* () {
        const product = yield* numberProduct
        const numbers = block(1)
        yield* added({ product_id: product.id, country: "DE", city: "Berlin", numbers })
        const { partner } = yield* channel()
        const c = yield* customer(partner.id)
        const reservation = expectData(yield* reserve(c.id, { numbers }), 201)
        expect(Date.parse(reservation.expires_at) - Date.parse(reservation.created_at)).toBe(5 * 60_000)
      }))
  })
})
