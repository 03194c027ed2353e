import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { importStatementFile } from "../../cli/src/reconciliation/import-file"
import { OrderingServer } from "./ordering-fixtures"
import { balanceOf, fixture, fjordWorld, invoiceOf } from "./reconciliation-fixtures"

/** `provisio reconcile import <file>`: the command's own work, its output kept instead of printed. */

const writeFile = (name: string, text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provisio-statement-")), name)
  fs.writeFileSync(file, text)
  return file
}

const runImport = (file: string, account?: string) =>
  Effect.gen(function* () {
    let text = ""
    const summary = yield* importStatementFile(file, {
      account,
      output: { tty: false, write: (chunk) => Effect.sync(() => void (text += chunk)) }
    })
    return { summary, text }
  })

describe("provisio reconcile import", () => {
  it.layer(OrderingServer)("bank statement files", (it) => {
    it.effect("a camt.053 file as a partner: a progress line, the counts, the unmatched line; a second run changes nothing", () =>
      Effect.gen(function* () {
        const { partner, partnerKey, acme, invoices } = yield* fjordWorld
        const file = writeFile("2026-11-20.xml", fixture("camt053-2026-11-20.xml"))

        const first = yield* runImport(file, partner.id)
        expect(first.summary).toMatchObject({ created: true })
        expect(first.summary.lines.map((line) => line.status)).toEqual(["matched", "matched", "partial", "matched", "unmatched", "ignored", "matched"])
        const lines = first.text.trim().split("\n")
        expect(lines[0]).toBe(`Importing ${file}`)
        expect(lines[1]).toMatch(/^ {2}7 \/ 7 lines \(100\.0%\), [\d,]+ lines\/s$/)
        expect(lines[2]).toMatch(new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: statement stm_\\w+ \\(camt053, DE89370400440532013000\\): ` +
            "7 lines: 4 matched, 1 partial, 1 unmatched, 1 ignored \\(\\d+\\.\\d s\\)$"
        ))
        expect(lines[3]).toMatch(/^ {2}unmatched stl_\w+: 2026-11-20 75\.00 EUR "Thanks for the great service" from Acme GmbH & Co\. KG: no invoice/)
        expect((yield* invoiceOf(invoices[0]!)).status).toBe("paid")
        expect(yield* balanceOf(acme.id, partnerKey)).toEqual({ balance: "45.00", due: "75.00", credit: "30.00" })

        const again = yield* runImport(file, partner.id)
        expect(again.summary).toMatchObject({ created: false, statement_id: first.summary.statement_id })
        expect(again.text).toContain(`already imported as statement ${first.summary.statement_id}`)
        expect(yield* balanceOf(acme.id, partnerKey)).toEqual({ balance: "45.00", due: "75.00", credit: "30.00" })
      }))

    it.effect("a file that is not a statement fails naming the problem, and stores nothing", () =>
      Effect.gen(function* () {
        const { partner } = yield* fjordWorld
        const bad = yield* Effect.flip(runImport(writeFile("bad.csv", "date,amount,currency,reference\n2026-11-20,1.00,EUR,x\n"), partner.id))
        expect(bad).toMatchObject({ _tag: "ValidationError", field: "columns" })
        const unknown = yield* Effect.flip(runImport(writeFile("statement.txt", "hello"), partner.id))
        expect(unknown.message).toMatch(/must be a camt\.053 statement \(\.xml\) or CSV/)
      }))
  })
})
