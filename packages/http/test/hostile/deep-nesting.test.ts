import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData } from "../harness"
import { OrderingServer } from "../ordering-fixtures"
import { describe as about, expectRefused, operations, pathOf } from "./operations"

/**
 * Objects and arrays nested 10,000 deep, as the whole body or in a field, over every operation of
 * the OpenAPI document that takes a body: 413 payload_too_large before any schema decodes it (a
 * decoder walking it would exhaust the stack), naming the field it came in.
 */

const DEPTH = 10_000
const deepArray = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`
const deepObject = `${"{\"a\":".repeat(DEPTH)}1${"}".repeat(DEPTH)}`

describe("deeply nested JSON bodies", () => {
  it.layer(OrderingServer)("every operation of the document that takes a body", (it) => {
    it.effect("10,000 levels as the body or in a field are 413, naming the field", () =>
      Effect.gen(function* () {
        let checked = 0
        for (const operation of (yield* operations).filter((o) => o.takesBody && o.readsJson)) {
          const field = operation.bodyFields[0] ?? "note"
          const cases = {
            "an array as the body": { raw: deepArray, field: undefined },
            "an object as the body": { raw: deepObject, field: "a" },
            [`an array in ${field}`]: { raw: `{${JSON.stringify(field)}:${deepArray}}`, field },
            [`an object in ${field}`]: { raw: `{${JSON.stringify(field)}:${deepObject}}`, field }
          }
          for (const [label, { field: named, raw }] of Object.entries(cases)) {
            const answer = yield* call(operation.method, pathOf(operation), { raw })
            expectRefused(answer, 413, "payload_too_large", about(operation, label))
            expect(answer.body.error.field, about(operation, label)).toBe(named)
            checked++
          }
        }
        expect(checked).toBeGreaterThan(250)
      }))

    it.effect("nesting within the limit is the schema's to judge, and the server goes on", () =>
      Effect.gen(function* () {
        const distributor = expectData(yield* call("POST", "/api/v1/distributors", { body: { name: "D" } }), 201)
        const partner = expectData(
          yield* call("POST", "/api/v1/partners", { body: { name: "P", distributor_id: distributor.id } }),
          201
        )
        // Metadata values may be objects: ten levels are stored as sent.
        let value: unknown = "leaf"
        for (let i = 0; i < 10; i++) value = { level: value }
        const customer = expectData(
          yield* call("POST", "/api/v1/customers", { body: { name: "Acme", partner_id: partner.id, metadata: { tree: value } } }),
          201
        )
        expect(customer.metadata).toEqual({ tree: value })
      }))
  })
})
