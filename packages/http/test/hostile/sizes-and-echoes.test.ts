import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import { ADMIN_KEY, call, channel, expectData } from "../harness"
import { OrderingServer, trunkWorld, V1 } from "../ordering-fixtures"
import { describe as about, expectRefused, operations, pathOf } from "./operations"

/**
 * Size limits: a body larger than its route allows is refused before it is read; no error answer
 * carries a caller's value back whole; free-form data (metadata, custom fields, characteristics,
 * configuration) is bounded the way Stripe bounds metadata, and the document says so.
 */

const MB = 1024 * 1024

/** A raw request through a socket of our own: a chunked body (no Content-Length), or one never finished. */
const rawPost = (path: string, chunks: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const address = (yield* HttpServer.HttpServer).address
    const port = address._tag === "TcpAddress" ? address.port : 0
    return yield* Effect.promise(() =>
      new Promise<{ status: number; body: any; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
        const request = http.request({
          host: "127.0.0.1",
          port,
          method: "POST",
          path,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json", "transfer-encoding": "chunked" }
        })
        request.on("response", (response) => {
          let text = ""
          response.on("data", (chunk) => (text += chunk))
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), headers: response.headers }))
        })
        request.on("error", reject)
        for (const chunk of chunks) request.write(chunk)
        request.end()
      })
    )
  })

/** A voice-minutes usage record of `subscription_id` carrying `padding` characters of a field nobody reads. */
const paddedRecord = (subscription_id: string, i: number, padding: number) => ({
  transaction_id: `big-${i}`,
  subscription_id,
  sku_id: "voice-minutes",
  quantity: "1",
  occurred_at: "2026-11-02T00:00:00Z",
  note: "x".repeat(padding)
})


describe("sizes and echoes", () => {
  it.layer(OrderingServer)("limits", (it) => {
    it.effect("a 20 MB body is 413 by its Content-Length, and nothing is created", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const name = "n".repeat(20 * MB)
        const answers = yield* Effect.all(
          Array.from({ length: 5 }, () => call("POST", `${V1}/customers`, { body: { name, partner_id: partner.id } })),
          { concurrency: "unbounded" }
        )
        for (const answer of answers) expectRefused(answer, 413, "payload_too_large", "POST /customers with a 20 MB name")
        expect(expectData(yield* call("GET", `${V1}/customers`))).toEqual([])
      }))

    it.effect("a chunked body is cut off at the limit as it streams: 413", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const chunk = "y".repeat(64 * 1024)
        const answer = yield* rawPost(`${V1}/customers`, [
          `{"partner_id":"${partner.id}","name":"`,
          ...Array.from({ length: 40 }, () => chunk),
          "\"}"
        ])
        expect(answer.status).toBe(413)
        expect(answer.body.error.code).toBe("payload_too_large")
        expect(expectData(yield* call("GET", `${V1}/customers`))).toEqual([])
      }))

    it.effect("POST /usage takes bodies up to 4 MB, larger than the default 1 MB, and no more", () =>
      Effect.gen(function* () {
        const { partnerKey, trunk } = yield* trunkWorld
        const started = trunk.current_period_start
        const records = (count: number, padding: number) =>
          Array.from({ length: count }, (_, i) => ({ ...paddedRecord(trunk.id, i, padding), occurred_at: started }))
        // About 2 MB: over the default, within the route's own limit.
        const accepted = expectData(yield* call("POST", `${V1}/usage`, { key: partnerKey, body: { records: records(1000, 2000) } }))
        expect(accepted).toEqual({ accepted: 1000, duplicates: 0, rejected: [] })
        const tooLarge = yield* call("POST", `${V1}/usage`, { key: partnerKey, body: { records: records(1000, 5000) } })
        expectRefused(tooLarge, 413, "payload_too_large", "POST /usage of 5 MB")
      }))

    it.effect("no error answer quotes a value whole: 50,000 characters in any field of any body", () =>
      Effect.gen(function* () {
        const long = "L".repeat(50_000)
        let checked = 0
        for (const operation of (yield* operations).filter((o) => o.takesBody && o.readsJson)) {
          for (const field of operation.bodyFields) {
            const answer = yield* call(operation.method, pathOf(operation), { body: { [field]: long } })
            const label = about(operation, field)
            expect(answer.status, label).toBeGreaterThanOrEqual(400)
            expect(answer.status, label).toBeLessThan(500)
            expect(answer.text.length, label).toBeLessThanOrEqual(2048)
            expect(answer.text, label).not.toContain("L".repeat(101))
            checked++
          }
        }
        expect(checked).toBeGreaterThan(150)
      }))

    it.effect("a name of 900 KB is refused naming the field and the limit, echoing at most 100 characters of it", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const answer = yield* call("POST", `${V1}/customers`, { body: { name: "N".repeat(900_000), partner_id: partner.id } })
        expectRefused(answer, 422, "validation_error", "POST /customers with a 900 KB name")
        expect(answer.body.error.field).toBe("name")
        expect(answer.body.error.message).toMatch(/at most \d+ characters/)
        expect(answer.text).not.toContain("N".repeat(101))
      }))
  })

  it.layer(OrderingServer)("free-form data", (it) => {
    it.effect("metadata: at most 50 keys of at most 40 characters, values of at most 500", () =>
      Effect.gen(function* () {
        const { partner } = yield* channel()
        const create = (metadata: unknown) =>
          call("POST", `${V1}/customers`, { body: { name: "Acme", partner_id: partner.id, metadata } })
        const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key_${i}`, "v".repeat(500)]))
        const stored = expectData(yield* create(fifty), 201)
        expect(Object.keys(stored.metadata)).toHaveLength(50)

        const tooMany = yield* create({ ...fifty, one_more: 1 })
        expectRefused(tooMany, 422, "validation_error", "51 metadata keys")
        expect(tooMany.body.error.field).toBe("metadata")
        const longKey = yield* create({ ["k".repeat(41)]: 1 })
        expectRefused(longKey, 422, "validation_error", "a 41-character metadata key")
        expect(longKey.body.error.field).toMatch(/^metadata/)
        const longValue = yield* create({ note: "v".repeat(501) })
        expectRefused(longValue, 422, "validation_error", "a 501-character metadata value")
        expect(longValue.body.error.field).toBe("metadata.note")
        // A value that is not a string counts by its JSON text.
        const longObject = yield* create({ tree: { list: Array.from({ length: 200 }, (_, i) => i) } })
        expectRefused(longObject, 422, "validation_error", "a metadata object of 700 characters")
        expect(longObject.body.error.field).toBe("metadata.tree")
      }))

    it.effect("custom fields, characteristics and configuration are bounded; a 20 MB custom field never reaches a read", () =>
      Effect.gen(function* () {
        const { catalog, customer, partnerKey, trunk } = yield* trunkWorld
        const fields = `${V1}/subscriptions/${trunk.id}/customfields`
        expectRefused(yield* call("PUT", fields, { key: partnerKey, body: { po: "p".repeat(20 * MB) } }), 413, "payload_too_large", "a 20 MB custom field")
        const long = yield* call("PUT", fields, { key: partnerKey, body: { po: "p".repeat(501) } })
        expectRefused(long, 422, "validation_error", "a 501-character custom field")
        expect(long.body.error.field).toBe("po")
        expectRefused(
          yield* call("PUT", fields, {
            key: partnerKey,
            body: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, i]))
          }),
          422,
          "validation_error",
          "51 custom fields"
        )
        const read = yield* call("GET", `${V1}/subscriptions/${trunk.id}`, { key: partnerKey })
        expect(expectData(read).custom_fields).toEqual({})
        expect(read.text.length).toBeLessThan(10_000)

        const draft = expectData(yield* call("POST", `${V1}/orders`, { key: partnerKey, body: { customer_id: customer.id } }), 201)
        const item = yield* call("POST", `${V1}/orders/${draft.id}/items`, {
          key: partnerKey,
          body: {
            plan_id: catalog.plans["SIP Trunk Channel Monthly"],
            quantity: 1,
            characteristics: { channels: 30, codec: "c".repeat(501) }
          }
        })
        expectRefused(item, 422, "validation_error", "a 501-character characteristic")
        expect(item.body.error.field).toBe("characteristics.codec")

        const network = yield* call("POST", `${V1}/subscriptions/${trunk.id}/networks`, {
          key: partnerKey,
          body: { name: "LAN", configuration: { certificate: "c".repeat(4001) } }
        })
        expectRefused(network, 422, "validation_error", "a 4,001-character configuration value")
        expect(network.body.error.field).toBe("configuration.certificate")
      }))

    it.effect("the OpenAPI document states the limits", () =>
      Effect.gen(function* () {
        const spec = (yield* call("GET", "/openapi.json", { key: null })).body
        const customer = spec.components.schemas["CreateCustomer"]
        const metadata = customer.properties.metadata
        expect(metadata.maxProperties ?? metadata.allOf?.[0]?.maxProperties).toBe(50)
        expect(JSON.stringify(metadata)).toContain("\"maxLength\":40")
      }))
  })
})
