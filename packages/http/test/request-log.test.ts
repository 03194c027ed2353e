import { describe, expect, it } from "@effect/vitest"
import { jsonLines } from "@provisio/http/middleware/request-log"
import * as FiberId from "effect/FiberId"

/** `provisio serve`'s request lines: what log collectors parse, as `Logger.json` prints them. */
describe("request log lines", () => {
  it("one JSON object a request, named as Logger.json names the fiber; a turn's lines in one write", async () => {
    const writes: Array<string> = []
    const log = jsonLines((text) => writes.push(text))
    const fiber = FiberId.runtime(42, 0)
    log.write!({ request_id: "req_1", method: "GET", path: "/api/v1/me", status: 200, duration_ms: 3 }, fiber)
    // A probe answered before any fiber ran has no fiber.
    log.write!({ request_id: "req_2", method: "GET", path: "/healthz", status: 200, duration_ms: 0 }, undefined)
    expect(writes).toEqual([])
    await new Promise((resolve) => setImmediate(resolve))

    expect(writes).toHaveLength(1)
    const [first, second] = writes[0]!.trimEnd().split("\n").map((line) => JSON.parse(line))
    expect(first).toMatchObject({
      message: "request",
      logLevel: "INFO",
      annotations: { request_id: "req_1", method: "GET", path: "/api/v1/me", status: 200, duration_ms: 3 },
      spans: {},
      fiberId: FiberId.threadName(fiber)
    })
    expect(first.fiberId).toBe("#42")
    expect(Number.isNaN(Date.parse(first.timestamp))).toBe(false)
    expect(second.fiberId).toBeUndefined()
  })
})
