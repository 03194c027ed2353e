import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, expectData, expectError, TestServer } from "./harness"

const V1 = "/api/v1"

/** The next page's cursor of a list read with `?limit=1` (there must be one). */
const firstCursor = (path: string, key: string) =>
  Effect.map(call("GET", `${path}${path.includes("?") ? "&" : "?"}limit=1`, { key }), (answer) => {
    const cursor = expectData(answer) && answer.body.meta.page.next_cursor
    expect(cursor).toEqual(expect.any(String))
    return cursor as string
  })

const withCursor = (path: string, cursor: string) => `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`

/** A partner with three customers (Ada, Bea, Cy, in that order) and its key. */
const threeCustomers = Effect.gen(function* () {
  const { partner, partnerKey: key } = yield* channel()
  const ids: Array<string> = []
  for (const name of ["Ada", "Bea", "Cy"]) {
    ids.push(expectData(yield* call("POST", `${V1}/customers`, { key, body: { name, partner_id: partner.id } }), 201).id)
  }
  return { ids, key, partner }
})

describe("cursors", () => {
  it.layer(TestServer)("over HTTP", (it) => {
    it.effect("a cursor pages its own list (any limit, filters in any order); another list's is 422 naming cursor", () =>
      Effect.gen(function* () {
        const { ids, key, partner } = yield* threeCustomers
        const list = `${V1}/customers`
        const cursor = yield* firstCursor(list, key)
        const next = yield* call("GET", `${withCursor(list, cursor)}&limit=5`, { key })
        expect(expectData(next).map((c: any) => c.id)).toEqual(ids.slice(1))

        // Taken from one list and given to another, it used to page from some other place.
        for (const other of [`${V1}/invoices`, `${V1}/events`, `${V1}/tickets`, `${V1}/customers/${ids[0]}/contacts`, `${V1}/partners`]) {
          const foreign = yield* call("GET", withCursor(other, cursor))
          expectError(foreign, 422, "validation_error", "cursor")
          expect(foreign.body.error.message).toContain("is not a cursor of this list")
        }
        // The same list with other filters, or narrowed to a tenant, is another list.
        expectError(yield* call("GET", withCursor(`${list}?search=a`, cursor), { key }), 422, "validation_error", "cursor")
        expectError(yield* call("GET", withCursor(list, cursor), { key, headers: { "x-tenant-id": partner.id } }), 422, "validation_error", "cursor")

        // Filters in another order, or an empty one (read as absent), are the same list.
        for (const subject of ["One", "Two"]) {
          expectData(yield* call("POST", `${V1}/tickets`, { key, body: { customer_id: ids[0], subject, description: "D" } }), 201)
        }
        const eventsCursor = yield* firstCursor(`${V1}/events?type=ticket.*&customer_id=${ids[0]}`, key)
        const reordered = yield* call("GET", withCursor(`${V1}/events?customer_id=${ids[0]}&limit=9&type=ticket.*`, eventsCursor), { key })
        expect(expectData(reordered).map((e: any) => e.data.ticket.subject)).toEqual(["Two"])
        const searchCursor = yield* firstCursor(`${list}?search=`, key)
        expect(expectData(yield* call("GET", withCursor(list, searchCursor), { key })).map((c: any) => c.id)).toEqual(ids.slice(1))
      }))

    it.effect("a changed cursor is refused as a malformed one is; a cursor of the old form still pages", () =>
      Effect.gen(function* () {
        const { ids, key } = yield* threeCustomers
        const list = `${V1}/customers`
        const cursor = yield* firstCursor(list, key)
        const changed = `${cursor.slice(0, -1)}${cursor.endsWith("A") ? "B" : "A"}`
        expectError(yield* call("GET", withCursor(list, "%%%"), { key }), 422, "validation_error", "cursor")
        expectError(yield* call("GET", withCursor(list, changed), { key }), 422, "validation_error", "cursor")
        expectError(yield* call("GET", withCursor(list, `${cursor}.x`), { key }), 422, "validation_error", "cursor")

        // Before cursors were sealed, a cursor was the last id seen in base64url: one handed out then still pages.
        const old = Buffer.from(ids[0]!).toString("base64url")
        expect(expectData(yield* call("GET", withCursor(list, old), { key })).map((c: any) => c.id)).toEqual(ids.slice(1))
      }))
  })
})
