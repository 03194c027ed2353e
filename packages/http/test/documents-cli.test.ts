import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { exportDocumentFiles } from "../../cli/src/documents/export"
import { call, channel, expectData } from "./harness"
import { expectValidUbl, fetchDocument, pdfText } from "./documents-fixtures"
import { chargeOf, draftInvoice, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, OrderingServer, V1 } from "./ordering-fixtures"

/** `provisio invoices export --period --format --out`: the command's own work, its output kept instead of printed. */

const runExport = (options: { period: string; format: "pdf" | "ubl"; account?: string; out?: string }) =>
  Effect.gen(function* () {
    let text = ""
    const out = options.out ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provisio-export-")), "nested", "dir")
    const summary = yield* exportDocumentFiles({
      ...options,
      out,
      output: { tty: false, write: (chunk) => Effect.sync(() => void (text += chunk)) }
    })
    return { summary, text, out }
  })

describe("provisio invoices export", () => {
  it.layer(OrderingServer)("a month's documents", (it) => {
    it.effect("writes the PDF of every issued invoice of the month (not drafts, not other months), with a progress line; the files are the API's documents", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id, { name: "Export GmbH" }, partnerKey)
        const ids = []
        // One invoice per customer, currency and month: three currencies make three invoices of November.
        for (const [amount, currency] of [["10.00", "EUR"], ["20.00", "USD"], ["30.00", "CHF"]] as const) {
          ids.push(yield* finalizedInvoice({ customerId: customer.id, period: "2031-11", currency, lines: [chargeOf(amount)] }))
        }
        yield* draftInvoice({ customerId: customer.id, period: "2031-11", currency: "GBP", lines: [chargeOf("5.00")] })
        yield* finalizedInvoice({ customerId: customer.id, period: "2031-10", lines: [chargeOf("7.00")] })
        const numbers = []
        for (const id of ids) numbers.push(expectData(yield* call("GET", `${V1}/invoices/${id}`)).number as string)

        const { out, summary, text } = yield* runExport({ period: "2031-11", format: "pdf", account: partner.id })
        expect(fs.readdirSync(out).sort()).toEqual(numbers.map((n) => `${n}.pdf`).sort())
        expect(summary.files).toHaveLength(3)
        const lines = text.trim().split("\n")
        expect(lines[0]).toBe(`Exporting 3 invoices of 2031-11 as pdf to ${out}`)
        expect(lines[1]).toMatch(/^ {2}3 \/ 3 invoices \(100\.0%\), [\d,]+ invoices\/s, ETA \d+:\d\d$/)
        expect(lines[2]).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 3 PDF files \\(\\d+\\.\\d s\\)$`))
        for (const [i, id] of ids.entries()) {
          const bytes = fs.readFileSync(path.join(out, `${numbers[i]}.pdf`))
          expect(pdfText(new Uint8Array(bytes))).toContain(`Invoice ${numbers[i]}`)
          expect(bytes.equals(Buffer.from((yield* fetchDocument(`${V1}/invoices/${id}/pdf`)).bytes))).toBe(true)
        }
      }))

    it.effect("--format ubl writes valid UBL 2.1 invoices; another partner exports none of them; a bad period is refused", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id, {}, partnerKey)
        yield* finalizedInvoice({ customerId: customer.id, period: "2032-03", lines: [chargeOf("12.34")] })
        const { out, summary } = yield* runExport({ period: "2032-03", format: "ubl", account: partner.id })
        expect(summary.files).toHaveLength(1)
        expect(summary.files[0]).toMatch(/\.xml$/)
        expectValidUbl(fs.readFileSync(summary.files[0]!, "utf8"))
        expect(fs.readdirSync(out)).toHaveLength(1)

        const other = yield* channel()
        expect((yield* runExport({ period: "2032-03", format: "ubl", account: other.partner.id })).summary.files).toEqual([])

        const refused = yield* Effect.exit(runExport({ period: "2032-13", format: "pdf" }))
        expect(Exit.isFailure(refused)).toBe(true)
        expect(String(Exit.isFailure(refused) ? refused.cause : "")).toMatch(/--period must be a month written YYYY-MM/)
      }))
  })
})
