import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, expectData } from "../harness"
import { OrderingServer } from "../ordering-fixtures"
import { describe as about, expectRefused, operations, pathOf, wellFormed } from "./operations"

/**
 * Hostile values in paths and query strings, over every operation of the OpenAPI document: a path
 * parameter that is not of its kind names nothing (404) and never reaches a query; a query value
 * PostgreSQL could not store, or an id filter of the wrong shape, is 422 naming the parameter.
 */

/** Path parameter values that name nothing, each as it goes on the wire. */
const HOSTILE_PATH_VALUES = {
  nul: "%00",
  "prefixed nul": "cus_%00abc",
  "bad percent-encoding": "%FF%FE",
  "wrong shape": "nope",
  "10,000 characters": "a".repeat(10_000)
}

describe("hostile paths and query strings", () => {
  it.layer(OrderingServer)("every operation of the document", (it) => {
    it.effect("a path parameter with a NUL, bad encoding or the wrong shape is 404, in the envelope", () =>
      Effect.gen(function* () {
        let checked = 0
        for (const operation of yield* operations) {
          for (const param of operation.pathParams) {
            for (const [label, value] of Object.entries(HOSTILE_PATH_VALUES)) {
              const answer = yield* call(operation.method, pathOf(operation, { [param.name]: value }), {
                body: operation.takesBody ? {} : undefined
              })
              expectRefused(answer, 404, "not_found", about(operation, `${param.name} = ${label}`))
              checked++
            }
          }
        }
        // The document has over a hundred operations with path parameters.
        expect(checked).toBeGreaterThan(500)
      }))

    it.effect("a query value with a NUL is 422 naming the parameter", () =>
      Effect.gen(function* () {
        let checked = 0
        for (const operation of yield* operations) {
          for (const param of operation.queryParams) {
            const answer = yield* call(operation.method, `${pathOf(operation)}?${param.name}=a%00b`)
            expectRefused(answer, 422, "validation_error", about(operation, `?${param.name}=a%00b`))
            expect(answer.body.error.field, about(operation, param.name)).toBe(param.name)
            checked++
          }
        }
        expect(checked).toBeGreaterThan(50)
      }))

    it.effect("an id filter of the wrong shape is 422 naming the parameter, before any query", () =>
      Effect.gen(function* () {
        let checked = 0
        for (const operation of yield* operations) {
          const ids = operation.queryParams.filter((p) => p.pattern !== undefined && /^\^[a-z]+_/.test(p.pattern))
          for (const param of ids) {
            // The other required parameters well-formed, so the id is the one problem.
            const others = operation.queryParams
              .filter((p) => p.required && p.name !== param.name)
              .map((p) => `${p.name}=${wellFormed(p)}`)
            for (const value of ["nope", "a".repeat(5_000)]) {
              const query = [...others, `${param.name}=${value}`].join("&")
              const answer = yield* call(operation.method, `${pathOf(operation)}?${query}`)
              expectRefused(answer, 422, "validation_error", about(operation, `?${param.name}=${value.slice(0, 10)}`))
              expect(answer.body.error.field, about(operation, param.name)).toBe(param.name)
              checked++
            }
          }
        }
        expect(checked).toBeGreaterThan(20)
      }))

    it.effect("an X-Tenant-ID that is not an account or customer id is 404, as one out of scope is", () =>
      Effect.gen(function* () {
        for (const tenant of ["nope", "prd_0000000000000000000000000", "acc_".padEnd(5_000, "x"), "cus_0000000000000000000000000"]) {
          const answer = yield* call("GET", "/api/v1/me", { headers: { "x-tenant-id": tenant } })
          expectRefused(answer, 404, "not_found", `X-Tenant-ID: ${tenant.slice(0, 10)}`)
        }
      }))

    it.effect("a well-formed id that exists nowhere is still an ordinary 404", () =>
      Effect.gen(function* () {
        const missing = yield* call("GET", "/api/v1/customers/cus_0000000000000000000000000")
        expectRefused(missing, 404, "not_found", "GET a customer that does not exist")
        const nul = yield* call("GET", "/api/v1/customers/%00")
        expectRefused(nul, 404, "not_found", "GET a customer named by a NUL")
        // The server is unharmed: the next request works.
        expect(expectData(yield* call("GET", "/api/v1/customers"))).toEqual([])
      }))
  })
})
