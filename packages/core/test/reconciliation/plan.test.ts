import { describe, expect, it } from "@effect/vitest"
import type { ParsedLine } from "@provisio/core/reconciliation/model"
import { planStatement } from "@provisio/core/reconciliation/plan"
import type { InvoiceCandidate } from "@provisio/core/reconciliation/ports"
import { numberKey } from "@provisio/core/reconciliation/references"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"

const money = (amount: string) => ({ amount: BigDecimal.unsafeFromString(amount), currency: "EUR" as const })

const line = (amount: string, reference: string | null, extra: Partial<ParsedLine> = {}): ParsedLine => ({
  entry_key: `k-${Math.random()}`,
  booked_at: DateTime.unsafeMake("2026-11-20T00:00:00Z"),
  amount: money(amount),
  is_return: false,
  booked: true,
  reference,
  references: reference === null ? [] : [{ text: reference, structured: false }],
  counterparty: null,
  bank_reference: null,
  match_refs: [],
  ...extra
})

const invoice = (id: string, number: string, due: string, status: InvoiceCandidate["status"] = "finalized"): InvoiceCandidate => ({
  id,
  number,
  key: numberKey(number),
  customer_id: "cus_1",
  status,
  amount_due: money(due)
})

const plan = (lines: ReadonlyArray<ParsedLine>, invoices: ReadonlyArray<InvoiceCandidate>, owners = new Map<string, string>()) =>
  planStatement({ lines, ids: lines.map((_, i) => `stl_${i}`), owners, invoices, returnable: [] }).map((d) =>
    d.kind === "pay" ? `pay ${d.invoice.id}` : d.kind === "reverse" ? `reverse ${JSON.stringify(d.credit)}` : `${d.kind}: ${d.note}`
  )

describe("planStatement", () => {
  it("pays what the references name while the invoices owe, in order; says why when not", () => {
    const invoices = [invoice("inv_1", "INV-2026-000001", "50.00"), invoice("inv_2", "INV-2026-000002", "10.00", "paid")]
    expect(plan([
      line("30.00", "INV-2026-000001"),
      line("30.00", "INV-2026-000001"),
      line("5.00", "INV-2026-000001"),
      line("5.00", "inv 2026 000002 INV-2026-000002"),
      line("5.00", "nothing"),
      line("5.00", null),
      line("-5.00", "fee")
    ], invoices)).toEqual([
      "pay inv_1",
      "pay inv_1",
      "unmatched: invoice INV-2026-000001 is already paid",
      "unmatched: invoice INV-2026-000002 is already paid",
      "unmatched: no invoice of yours is named by the reference \"nothing\"",
      "unmatched: the transfer has no reference",
      "ignored: a debit: money paid out"
    ])
  })

  it("prefers the structured reference, the currency, and among several the invoice owing exactly the amount", () => {
    const a = invoice("inv_a", "INV-2026-000001", "20.00")
    const b = { ...invoice("inv_b", "INV-2026-000001", "35.00"), customer_id: "cus_2" }
    const structured = line("35.00", "INV-2026-000009", {
      references: [{ text: "INV-2026-000001", structured: true }, { text: "INV-2026-000009", structured: false }]
    })
    expect(plan([structured], [a, b, invoice("inv_9", "INV-2026-000009", "35.00")])).toEqual(["pay inv_b"])
    expect(plan([line("99.00", "INV-2026-000001")], [a, b])[0]).toMatch(/several invoices \(INV-2026-000001, INV-2026-000001\)/)
    expect(plan([line("20.00", "INV-2026-000001", { amount: { ...money("20.00"), currency: "USD" } })], [a])[0])
      .toBe("unmatched: invoice INV-2026-000001 is in EUR, the transfer in USD")
  })

  it("ignores what was booked before, twice in one statement, or is not booked yet", () => {
    const twice = line("5.00", "x", { entry_key: "same" })
    const booked = line("5.00", "y", { entry_key: "old" })
    expect(plan([twice, twice, booked, line("5.00", "z", { booked: false })], [], new Map([["old", "stl_before"]]))).toEqual([
      "unmatched: no invoice of yours is named by the reference \"x\"",
      "ignored: imported before, as line stl_0",
      "ignored: imported before, as line stl_before",
      "ignored: not booked yet: the bank reports it as pending"
    ])
  })

  it("reverses the credit a return gives back: by its ids first, then its reference, the same amount", () => {
    const credit = line("60.00", "INV-2026-000001", { match_refs: ["e2e:E-1", "ref:INV2026000001"] })
    const giveBack = line("-60.00", "INV-2026-000001", { is_return: true, match_refs: ["e2e:E-1"] })
    expect(plan([credit, giveBack], [invoice("inv_1", "INV-2026-000001", "60.00")])).toEqual(["pay inv_1", "reverse {\"position\":0}"])
    const decisions = planStatement({
      lines: [line("-60.00", null, { is_return: true, match_refs: ["ref:INV2026000001"] }), line("-60.00", null, { is_return: true, match_refs: ["e2e:X"] })],
      ids: ["stl_a", "stl_b"],
      owners: new Map(),
      invoices: [],
      returnable: [{ line_id: "stl_old", payment_id: "pay_1", invoice_id: "inv_1", amount: money("60.00"), match_refs: ["e2e:E-1", "ref:INV2026000001"] }]
    })
    expect(decisions[0]).toEqual({ kind: "reverse", credit: { line_id: "stl_old", payment_id: "pay_1", invoice_id: "inv_1", amount: money("60.00"), match_refs: ["e2e:E-1", "ref:INV2026000001"] } })
    expect(decisions[1]).toMatchObject({ kind: "unmatched" })
  })
})
