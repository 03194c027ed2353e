import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { exportToFile } from "../../cli/src/exports/export"
import { exportWorld, fetchExport } from "./exports-fixtures"
import { OrderingServer } from "./ordering-fixtures"

/** `provisio export <kind> --period --format --out`: the command's own work, its output kept instead of printed. */
const runExport = (options: { kind: string; period: string; format: string; account?: string; out: string }) =>
  Effect.gen(function* () {
    let text = ""
    const summary = yield* exportToFile({ ...options, output: { tty: false, write: (chunk) => Effect.sync(() => void (text += chunk)) } })
    return { summary, text }
  })

const PERIOD = "2026-11"
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

describe("provisio export", () => {
  it.layer(OrderingServer)("files", (it) => {
    it.effect("writes the API's export byte for byte into a folder or a file, with a progress line and a summary", () =>
      Effect.gen(function* () {
        const { distributor, distributorKey, partner, partnerKey } = yield* exportWorld(PERIOD)
        const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provisio-exports-")), "nested") + path.sep
        for (const kind of ["invoices", "invoice-lines", "rated-usage", "commissions"]) {
          const { summary, text } = yield* runExport({ kind, period: PERIOD, format: "csv", account: partner.id, out: folder })
          expect(summary.file).toBe(path.join(folder, `provisio-${kind}-${PERIOD}.csv`))
          const written = fs.readFileSync(summary.file, "utf8")
          expect(written).toBe((yield* fetchExport(kind, { period: PERIOD, format: "csv" }, partnerKey)).text)
          const lines = text.trim().split("\n")
          expect(lines[0]).toBe(`Exporting ${summary.rows} ${kind} row${summary.rows === 1 ? "" : "s"} of ${PERIOD} as csv to ${summary.file}`)
          if (summary.rows > 0) {
            expect(lines[1]).toMatch(new RegExp(`^ {2}${summary.rows} / ${summary.rows} rows \\(100\\.0%\\), [\\d,]+ rows/s, ETA \\d+:\\d\\d$`))
          }
          expect(lines.at(-1)).toMatch(new RegExp(`^${escaped(summary.file)}: ${summary.rows} rows? \\(\\d+\\.\\d s\\)$`))
        }
        // NDJSON into a named file, as the distributor.
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provisio-exports-")), "commissions.ndjson")
        const { summary } = yield* runExport({ kind: "commissions", period: PERIOD, format: "ndjson", account: distributor.id, out: file })
        expect(summary.file).toBe(file)
        const written = fs.readFileSync(file, "utf8")
        expect(written).toBe((yield* fetchExport("commissions", { period: PERIOD, format: "ndjson" }, distributorKey)).text)
        expect(written.trim().split("\n")).toHaveLength(summary.rows)
      }))

    it.effect("refuses a bad period, format or kind, naming the option", () =>
      Effect.gen(function* () {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "provisio-exports-"))
        for (const [options, message] of [
          [{ kind: "invoices", period: "2026-13", format: "csv" }, /--period must be a month written YYYY-MM/],
          [{ kind: "invoices", period: PERIOD, format: "xlsx" }, /--format must be csv or ndjson/],
          [{ kind: "payments", period: PERIOD, format: "csv" }, /--kind must be invoices, invoice-lines, rated-usage or commissions/]
        ] as const) {
          const refused = yield* Effect.exit(runExport({ ...options, out }))
          expect(Exit.isFailure(refused)).toBe(true)
          expect(String(Exit.isFailure(refused) ? refused.cause : "")).toMatch(message)
        }
      }))
  })
})
