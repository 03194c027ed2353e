import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { call, channel, expectData } from "../../http/test/harness"
import { createCustomer, exampleCatalog, OrderingServer, setNow, subscribe, V1 } from "../../http/test/ordering-fixtures"
import { importUsageFile } from "../src/usage/import-file"

/** A file with the given lines, in a fresh temp folder. */
const writeFile = (name: string, lines: ReadonlyArray<string>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-usage-"))
  const file = path.join(dir, name)
  fs.writeFileSync(file, `${lines.join("\n")}\n`)
  return file
}

/** The command's own work (`provisio usage import`), its output kept instead of printed. */
const runImport = (file: string) =>
  Effect.gen(function* () {
    let text = ""
    const summary = yield* importUsageFile(file, {
      output: { tty: false, write: (chunk) => Effect.sync(() => void (text += chunk)) }
    })
    return { summary, text }
  })

/** A SIP trunk subscription (voice-minutes metered) started Nov 1, the clock on Nov 5. */
const trunk = Effect.gen(function* () {
  yield* setNow("2026-11-01T00:00:00Z")
  const catalog = yield* exampleCatalog
  const { partner, partnerKey } = yield* channel()
  const customer = yield* createCustomer(partner.id)
  const subscription = yield* subscribe(
    customer.id,
    { plan_id: catalog.plans["SIP Trunk Channel Monthly"], characteristics: { channels: 30, codec: "G.722" } },
    partnerKey
  )
  yield* setNow("2026-11-05T00:00:00Z")
  return subscription.id as string
})

const totals = (subscriptionId: string) =>
  Effect.map(
    call("GET", `${V1}/usage?subscription_id=${subscriptionId}`),
    (answer) => expectData(answer).totals.map((t: any) => [t.sku_code, t.quantity])
  )

describe("provisio usage import", () => {
  it.layer(Layer.merge(OrderingServer, NodeContext.layer))("CSV and NDJSON files", (it) => {
    it.effect("a CSV file: the good records stored, rejections listed with their lines, a second import all duplicates", () =>
      Effect.gen(function* () {
        const sub = yield* trunk
        const file = writeFile("usage.csv", [
          "transaction_id,subscription_id,sku_id,quantity,occurred_at",
          `csv-1,${sub},voice-minutes,12.5,2026-11-02T10:00:00Z`, // line 2
          `csv-2,${sub},voice-minutes,30,2026-11-03T10:00:00Z`,
          `csv-3,${sub},voice-minutes,-1,2026-11-03T10:00:00Z`, // line 4
          `csv-4,${sub},no-such-sku,1,2026-11-03T10:00:00Z`,
          "",
          `csv-5,sub_nope,voice-minutes,1,2026-11-03T10:00:00Z`, // line 7
          `csv-6,${sub},voice-minutes,1,not a date`,
          `csv-1,${sub},voice-minutes,12.5,2026-11-02T10:00:00Z` // a repeat of line 2
        ])
        const { summary, text } = yield* runImport(file)
        expect(summary).toMatchObject({ records: 7, accepted: 2, duplicates: 1 })
        expect(summary.rejected.map((r) => [r.line, r.code])).toEqual([
          [4, "invalid_quantity"],
          [5, "unknown_sku"],
          [7, "unknown_subscription"],
          [8, "invalid_record"]
        ])
        expect(text).toContain(`${file}: 2 accepted, 1 duplicate, 4 rejected (7 records in `)
        expect(text).toContain("line 4: invalid_quantity: quantity: must not be negative")
        expect(text).toContain("line 8: invalid_record: occurred_at: ")
        // The header is no record: 8 lines below it (one blank) make the total.
        expect(text).toMatch(/7 \/ 8 records \(/)
        expect(yield* totals(sub)).toEqual([["voice-minutes", "42.5"]])

        const again = yield* runImport(file)
        expect(again.summary).toMatchObject({ accepted: 0, duplicates: 3 })
        // Never stored, the rejected lines are rejected again, for the same reasons.
        expect(again.summary.rejected.map((r) => r.line)).toEqual([4, 5, 7, 8])
        expect(yield* totals(sub)).toEqual([["voice-minutes", "42.5"]])
      }))

    it.effect("an NDJSON file, batches of 1,000, a line that is not JSON rejected on its own", () =>
      Effect.gen(function* () {
        const sub = yield* trunk
        const lines = Array.from({ length: 2_100 }, (_, i) =>
          JSON.stringify({
            transaction_id: `nd-${sub}-${i}`,
            subscription_id: sub,
            sku_id: "voice-minutes",
            quantity: i === 1_500 ? "-5" : 1,
            occurred_at: "2026-11-04T00:00:00Z"
          }))
        lines.splice(1_200, 0, "{not json")
        const file = writeFile("usage.ndjson", lines)
        const { summary, text } = yield* runImport(file)
        expect(summary).toMatchObject({ records: 2_101, accepted: 2_099, duplicates: 0 })
        expect(summary.rejected.map((r) => [r.line, r.code])).toEqual([[1_201, "invalid_record"], [1_502, "invalid_quantity"]])
        expect(text).toContain(`${file}: 2,099 accepted, 0 duplicates, 2 rejected`)
        expect(yield* totals(sub)).toEqual([["voice-minutes", "2099"]])

        expect(yield* Effect.flip(importUsageFile(writeFile("usage.txt", ["x"]))))
          .toMatchObject({ _tag: "ValidationError" })
      }))
  })
})
