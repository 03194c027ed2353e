import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as net from "node:net"
import { createApiServer } from "@provisio/http/node-server"
import { call, expectData, TestServer } from "./harness"

describe("API conventions", () => {
  it.layer(TestServer)("over HTTP", (it) => {
    it.effect("probes answer in the envelope without authentication", () =>
      Effect.gen(function* () {
        const health = yield* call("GET", "/healthz", { key: null })
        expect(expectData(health)).toEqual({ status: "ok" })
        expect(health.body.meta.api_version).toBe("v1")
        const ready = yield* call("GET", "/readyz", { key: null })
        expect(expectData(ready)).toEqual({ status: "ok" })
      }))

    it.effect("every answer carries a request id, reusing the caller's X-Request-Id", () =>
      Effect.gen(function* () {
        const generated = yield* call("GET", "/api/v1/me")
        expect(generated.body.meta.request_id).toMatch(/^req_/)
        expect(generated.headers["x-request-id"]).toBe(generated.body.meta.request_id)
        const reused = yield* call("GET", "/api/v1/me", { headers: { "x-request-id": "trace-42" } })
        expect(reused.body.meta.request_id).toBe("trace-42")
        expect(reused.headers["x-request-id"]).toBe("trace-42")
      }))

    it.effect("401 without a token or with a wrong one", () =>
      Effect.gen(function* () {
        const missing = yield* call("GET", "/api/v1/me", { key: null })
        expect(missing.status).toBe(401)
        expect(missing.body).toMatchObject({ success: false, error: { code: "unauthorized" } })
        expect(missing.body.meta.request_id).toMatch(/^req_/)
        const wrong = yield* call("GET", "/api/v1/customers", { key: "pvo_not_a_real_key" })
        expect(wrong.status).toBe(401)
        expect(wrong.body.error.code).toBe("unauthorized")
      }))

    it.effect("an unknown route is a 404 in the envelope", () =>
      Effect.gen(function* () {
        const answer = yield* call("GET", "/api/v1/no-such-thing")
        expect(answer.status).toBe(404)
        expect(answer.body).toMatchObject({ success: false, error: { code: "not_found" } })
        expect(answer.headers["x-request-id"]).toBe(answer.body.meta.request_id)
      }))

    it.effect("malformed JSON is 400 bad_request and creates nothing", () =>
      Effect.gen(function* () {
        const answer = yield* call("POST", "/api/v1/distributors", { raw: "{\"name\": " })
        expect(answer.status).toBe(400)
        expect(answer.body).toMatchObject({ success: false, error: { code: "bad_request" } })
        const list = expectData(yield* call("GET", "/api/v1/distributors"))
        expect(list).toEqual([])
      }))

    it.effect("a body that fails its schema is 422 naming the field", () =>
      Effect.gen(function* () {
        const missing = yield* call("POST", "/api/v1/distributors", { body: {} })
        expect(missing.status).toBe(422)
        expect(missing.body.error).toMatchObject({ code: "validation_error", field: "name" })
        const wrongType = yield* call("POST", "/api/v1/partners", { body: { name: "P", edition: "gold" } })
        expect(wrongType.status).toBe(422)
        expect(wrongType.body.error).toMatchObject({ code: "validation_error", field: "edition" })
        // Every value the field takes is named, not only the first.
        expect(wrongType.body.error.message).toBe('Expected "free" or "standard", actual "gold"')
        const notAnObject = yield* call("POST", "/api/v1/distributors", { body: [1] })
        expect(notAnObject.status).toBe(422)
        expect(notAnObject.body.error).toMatchObject({ code: "validation_error", message: "the request body must be a JSON object, not [1]" })
        // No body at all is said so, not "not null" (what an empty body is read as).
        const noBody = yield* call("POST", "/api/v1/distributors")
        expect(noBody.status).toBe(422)
        expect(noBody.body.error).toMatchObject({ code: "validation_error", message: "the request body must be a JSON object; it was empty (or null)" })
        const notASection = yield* call("PUT", "/api/v1/settings", { body: { channel: "yes" } })
        expect(notASection.body.error).toMatchObject({ code: "validation_error", field: "channel", message: 'must be an object, not "yes"' })
        // Money given as a bare amount is told money's shape, not the schema's name ('Expected Money').
        const bareAmount = yield* call("POST", "/api/v1/payments", { body: { invoice_id: "inv_0123", amount: "5.00" } })
        expect(bareAmount.status).toBe(422)
        expect(bareAmount.body.error).toMatchObject({
          code: "validation_error",
          field: "amount",
          message: 'must be money such as {"amount": "12.50", "currency": "EUR"}, not "5.00"'
        })
        // Length limits are said as rules, not as the schema's wording, and a long value is not echoed back.
        const longText = yield* call("PUT", "/api/v1/settings", { body: { legal: { payment_instructions: "x".repeat(1001) } } })
        expect(longText.body.error).toMatchObject({ field: "legal.payment_instructions", message: "must be at most 1000 characters long or null" })
        const emptyRegion = yield* call("POST", "/api/v1/tax-rates", {
          body: { country: "US", region: "", category: "standard", rate: "7.25", valid_from: "2020-01-01" }
        })
        expect(emptyRegion.body.error).toMatchObject({ field: "region", message: "must not be empty (null clears it)" })
        const tooMany = yield* call("PUT", "/api/v1/dunning-policy", { body: { retry_days: Array.from({ length: 21 }, (_, i) => i + 1) } })
        expect(tooMany.body.error).toMatchObject({ field: "retry_days", message: "must hold at most 20 items" })
        // A value of the wrong JSON type is told the type, not the schema's words ('Expected string, actual 123').
        const numberName = yield* call("POST", "/api/v1/distributors", { body: { name: 123 } })
        expect(numberName.status).toBe(422)
        expect(numberName.body.error).toMatchObject({ code: "validation_error", field: "name", message: "must be a string, not 123" })
        const numberExternalId = yield* call("POST", "/api/v1/customers", { body: { name: "C", external_id: 5 } })
        expect(numberExternalId.body.error).toMatchObject({ field: "external_id", message: "must be a string or null, not 5" })
        const textThreshold = yield* call("POST", "/api/v1/pricing", {
          body: { code: "t1", name: "T", unit: "unit", currency: "EUR", model: "per_unit", unit_price: "1.00", thresholds: ["a"] }
        })
        expect(textThreshold.body.error).toMatchObject({ field: "thresholds[0]", message: 'must be a number, not "a"' })
        const fraction = yield* call("PUT", "/api/v1/settings", { body: { licensing: { max_customers: 1.5 } } })
        expect(fraction.body.error).toMatchObject({ field: "licensing.max_customers", message: "must be an integer or null, not 1.5" })
      }))

    it.effect("a bad query parameter is 422 naming it, whether of the wrong type or out of range", () =>
      Effect.gen(function* () {
        const wrongType = yield* call("GET", "/api/v1/distributors?limit=ten")
        expect(wrongType.status).toBe(422)
        expect(wrongType.body.error).toMatchObject({ code: "validation_error", field: "limit" })
        const tooMany = yield* call("GET", "/api/v1/distributors?limit=500")
        expect(tooMany.status).toBe(422)
        expect(tooMany.body.error).toMatchObject({ code: "validation_error", field: "limit" })
        const badCursor = yield* call("GET", "/api/v1/distributors?cursor=%%%")
        expect(badCursor.status).toBe(422)
        expect(badCursor.body.error.field).toBe("cursor")
      }))

    it.effect("serves the OpenAPI document and Swagger UI", () =>
      Effect.gen(function* () {
        const spec = yield* call("GET", "/openapi.json", { key: null })
        expect(spec.status).toBe(200)
        expect(spec.body.openapi).toMatch(/^3\./)
        expect(Object.keys(spec.body.paths)).toContain("/api/v1/customers")
        // The conventions' request headers are documented where they apply: X-Tenant-ID wherever a
        // bearer token is taken, X-Request-Id everywhere.
        const headers = (operation: any) =>
          (operation.parameters ?? []).map((p: any) => p.$ref ? spec.body.components.parameters[p.$ref.split("/").pop()] : p)
            .filter((p: any) => p.in === "header").map((p: any) => p.name)
        expect(headers(spec.body.paths["/api/v1/customers"].get)).toEqual(["X-Tenant-ID", "X-Request-Id"])
        expect(headers(spec.body.paths["/api/v1/customers"].post)).toEqual(["X-Idempotency-Key", "X-Tenant-ID", "X-Request-Id"])
        expect(headers(spec.body.paths["/healthz"].get)).toEqual(["X-Request-Id"])
        expect(headers(spec.body.paths["/api/v1/auth/login"].post)).toEqual(["X-Idempotency-Key", "X-Request-Id"])
        const swagger = yield* call("GET", "/swagger", { key: null })
        expect(swagger.status).toBe(200)
        expect(swagger.text).toContain("swagger-ui")
      }))
  })
})

describe("requests Node cannot parse", () => {
  /** The raw answer to `bytes` sent over a socket to a server made by `createApiServer`. */
  const exchange = (bytes: string) =>
    Effect.promise(() =>
      new Promise<string>((resolve) => {
        const server = createApiServer().on("request", (_, response) => response.end("app"))
        server.listen(0, "127.0.0.1", () => {
          const socket = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1")
          let answer = ""
          socket.on("data", (chunk) => (answer += chunk))
          socket.on("close", () => server.close(() => resolve(answer)))
          socket.write(bytes)
        })
      })
    )

  it.effect("a NUL in a header or a header block over 16 KB is answered in the envelope", () =>
    Effect.gen(function* () {
      const nul = yield* exchange("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Tenant-ID: acc_\u0000\r\n\r\n")
      expect(nul).toMatch(/^HTTP\/1\.1 400 /)
      const body = JSON.parse(nul.slice(nul.indexOf("\r\n\r\n") + 4))
      expect(body).toMatchObject({ success: false, error: { code: "bad_request" }, meta: { api_version: "v1" } })
      expect(body.meta.request_id).toMatch(/^req_/)
      const huge = yield* exchange(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`)
      expect(huge).toMatch(/^HTTP\/1\.1 431 /)
      expect(huge).toContain("\"code\":\"bad_request\"")
    }))
})
