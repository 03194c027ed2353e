import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData } from "../harness"
import { OrderingServer } from "../ordering-fixtures"
import { describe as about, expectRefused, type Operation, operations, pathOf } from "./operations"

/**
 * Text PostgreSQL cannot store (a NUL character; a lone UTF-16 surrogate, which has no UTF-8
 * form) in a JSON body, over every operation of the OpenAPI document that takes one: 422
 * validation_error naming the field, before any schema or use case sees the body.
 */

const UNSTORABLE = {
  "a NUL character": "a\u0000b",
  "a lone high surrogate": "\ud800",
  "a lone low surrogate": "x\udc00y"
}

/** The field a hostile value goes in: one the body documents, or any (the boundary checks every string). */
const fieldOf = (operation: Operation) => operation.bodyFields[0] ?? "note"

describe("unstorable text in JSON bodies", () => {
  it.layer(OrderingServer)("every operation of the document that takes a body", (it) => {
    it.effect("a NUL or a lone surrogate in a field's value is 422 naming the field", () =>
      Effect.gen(function* () {
        let checked = 0
        for (const operation of (yield* operations).filter((o) => o.takesBody && o.readsJson)) {
          const field = fieldOf(operation)
          for (const [label, value] of Object.entries(UNSTORABLE)) {
            const answer = yield* call(operation.method, pathOf(operation), { body: { [field]: value } })
            expectRefused(answer, 422, "validation_error", about(operation, `${field} = ${label}`))
            expect(answer.body.error.field, about(operation, label)).toBe(field)
            checked++
          }
        }
        expect(checked).toBeGreaterThan(200)
      }))

    it.effect("inside nested objects and lists, and in keys, the path to it is named", () =>
      Effect.gen(function* () {
        for (const operation of (yield* operations).filter((o) => o.takesBody && o.readsJson)) {
          // A field no schema knows: the boundary checks every string of the body, wherever it is.
          const field = "extra"
          const nested = yield* call(operation.method, pathOf(operation), {
            body: { [field]: { items: [{ ok: "fine" }, { note: "a\u0000" }] } }
          })
          expectRefused(nested, 422, "validation_error", about(operation, "nested NUL"))
          expect(nested.body.error.field).toBe(`${field}.items[1].note`)

          const inKey = yield* call(operation.method, pathOf(operation), { body: { [field]: { "k\ud800": 1 } } })
          expectRefused(inKey, 422, "validation_error", about(operation, "lone surrogate in a key"))
          expect(inKey.body.error.field).toBe(`${field}.k\ud800`)
        }
      }))

    it.effect("a refused body stores nothing", () =>
      Effect.gen(function* () {
        const distributor = expectData(yield* call("POST", "/api/v1/distributors", { body: { name: "D" } }), 201)
        const partner = expectData(
          yield* call("POST", "/api/v1/partners", { body: { name: "P", distributor_id: distributor.id } }),
          201
        )
        const refused = yield* call("POST", "/api/v1/customers", {
          body: { name: "Acme", partner_id: partner.id, metadata: { crm: "a\u0000b" } }
        })
        expectRefused(refused, 422, "validation_error", "a customer with a NUL in its metadata")
        expect(refused.body.error.field).toBe("metadata.crm")
        expect(expectData(yield* call("GET", "/api/v1/customers"))).toEqual([])

        const customer = expectData(
          yield* call("POST", "/api/v1/customers", { body: { name: "Acme", partner_id: partner.id } }),
          201
        )
        const update = yield* call("PUT", `/api/v1/customers/${customer.id}`, { body: { name: "\ud800cme" } })
        expectRefused(update, 422, "validation_error", "a rename to a lone surrogate")
        expect(expectData(yield* call("GET", `/api/v1/customers/${customer.id}`)).name).toBe("Acme")
      }))
  })
})
