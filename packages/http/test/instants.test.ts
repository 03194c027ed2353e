import { describe, expect, it } from "@effect/vitest"
import { parseInstant } from "@provisio/core/shared/time"
import * as Effect from "effect/Effect"
import { call, expectData } from "./harness"
import { expectError, OrderingServer, setNow, trunkWorld, V1 } from "./ordering-fixtures"

// API.md: "Time: ISO 8601 UTC". An instant the API reads is ISO 8601 or refused, never guessed at:
// `new Date` read "1" as 2001-01-01, "12/07/2026" as December 7th, rolled 2026-02-30 over to
// March 2nd, and read a time without an offset in the server's own time zone.

const NOT_ISO = ["1", "12/07/2026", "Dec 7 2026", "2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-12-07T24:00:00Z", "2026-12-07T10:60:00Z", "2026-12-07T10:00:00+25:00", "2026-12-07T10:00:00 UTC", "2026-12-07T10:00:60Z", "2026-12-07T10:00:00+01:60", "2026-12-07 24:00"]

describe("instants", () => {
  it("parseInstant reads ISO 8601 alone, UTC unless an offset is given, whatever the process's time zone", () => {
    const zone = process.env.TZ
    process.env.TZ = "Europe/Berlin"
    try {
      const at = Date.parse("2026-12-07T10:00:00Z")
      for (const text of ["2026-12-07T10:00:00Z", "2026-12-07T10:00:00", "2026-12-07t10:00z", "2026-12-07 10:00:00+00", "2026-12-07T11:00:00+01:00", "2026-12-07T11:00:00.000000+0100", "2026-12-07T05:00-05", "+002026-12-07T10:00:00Z"]) {
        expect([text, parseInstant(text)]).toEqual([text, at])
      }
      expect(parseInstant("2026-12-07")).toBe(Date.parse("2026-12-07T00:00:00Z"))
      expect(parseInstant("2024-02-29T00:00:00.123456789Z")).toBe(Date.parse("2024-02-29T00:00:00.123Z"))
      expect(parseInstant("0001-01-01T00:00:00Z")).toBe(Date.parse("0001-01-01T00:00:00Z"))
      for (const text of [...NOT_ISO, "2025-02-29", "", "2026-12-07T"]) expect([text, parseInstant(text)]).toEqual([text, undefined])
      // The common form (read by Date.parse once checked) and the others (read field by field) agree.
      for (let i = 0; i < 2_000; i++) {
        const millis = Math.floor(Math.random() * 8_000_000_000_000) - 1_000_000_000_000
        const iso = new Date(millis).toISOString()
        const shifted = new Date(millis + 90 * 60_000).toISOString().slice(0, 23)
        expect([iso, parseInstant(iso), parseInstant(iso.replace("T", " ")), parseInstant(`${shifted}+01:30`), parseInstant(`${shifted}+0130`)])
          .toEqual([iso, millis, millis, millis, millis])
      }
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it.layer(OrderingServer)("over HTTP", (it) => {
    it.effect("a date-time that is not ISO 8601, or names no real day, is 422 naming its field", () =>
      Effect.gen(function* () {
        yield* setNow("2026-11-01T00:00:00Z")
        const { partnerKey, trunk } = yield* trunkWorld
        yield* setNow("2026-12-15T00:00:00Z")
        for (const text of NOT_ISO) {
          const answer = yield* call("GET", `${V1}/usage?${new URLSearchParams({ subscription_id: trunk.id, from: text })}`, { key: partnerKey })
          expectError(answer, 422, "validation_error", "from")
        }
        const records = NOT_ISO.map((occurred_at, i) => ({
          transaction_id: `bad-${i}`,
          subscription_id: trunk.id,
          sku_id: "voice-minutes",
          quantity: "1",
          occurred_at
        }))
        const result = expectData(yield* call("POST", `${V1}/usage`, { key: partnerKey, body: { records } }))
        expect(result.accepted).toBe(0)
        expect(result.rejected.map((r: any) => [r.index, r.code, r.message])).toEqual(
          NOT_ISO.map((_, i) => [i, "invalid_record", "occurred_at: must be an ISO 8601 date-time"])
        )

        // Without an offset, UTC; a real day with an offset, that instant.
        const plain = expectData(yield* call("GET", `${V1}/usage?${new URLSearchParams({ subscription_id: trunk.id, from: "2026-12-07T10:00:00", to: "2026-12-07T12:00:00+01:00" })}`, { key: partnerKey }))
        expect([plain.from, plain.to]).toEqual(["2026-12-07T10:00:00.000Z", "2026-12-07T11:00:00.000Z"])
        const stored = expectData(yield* call("POST", `${V1}/usage`, {
          key: partnerKey,
          body: { records: [{ transaction_id: "leap", subscription_id: trunk.id, sku_id: "voice-minutes", quantity: "1", occurred_at: "2026-12-07T10:00:00" }] }
        }))
        expect(stored).toMatchObject({ accepted: 1, rejected: [] })
      }))
  })
})
