import { describe, expect, it } from "@effect/vitest"
import {
  creditorReference,
  formatCreditorReference,
  numberKey,
  parseCreditorReference,
  referenceKeys
} from "@provisio/core/reconciliation/references"
import * as Option from "effect/Option"

describe("creditor references (ISO 11649)", () => {
  it("makes the reference of an invoice number: RF, check digits, the number's letters and digits", () => {
    expect(creditorReference("INV-2026-000123")).toEqual(Option.some("RF98INV2026000123"))
    expect(creditorReference("INV-2026-000001")).toEqual(Option.some("RF94INV2026000001"))
    // The standard's own example.
    expect(creditorReference("539007547034")).toEqual(Option.some("RF18539007547034"))
    expect(creditorReference("inv 7")).toEqual(Option.some(Option.getOrThrow(creditorReference("INV7"))))
    expect(creditorReference("--")).toEqual(Option.none())
    expect(creditorReference("X".repeat(22))).toEqual(Option.none())
  })

  it("reads one back, spaces and case aside, and refuses wrong check digits", () => {
    expect(formatCreditorReference("RF98INV2026000123")).toBe("RF98 INV2 0260 0012 3")
    expect(parseCreditorReference("RF98 INV2 0260 0012 3")).toEqual(Option.some("INV2026000123"))
    expect(parseCreditorReference("rf18539007547034")).toEqual(Option.some("539007547034"))
    expect(parseCreditorReference("RF19539007547034")).toEqual(Option.none())
    expect(parseCreditorReference("INV-2026-000123")).toEqual(Option.none())
    for (let n = 1; n < 500; n++) {
      const number = `INV-2026-${String(n).padStart(6, "0")}`
      expect(parseCreditorReference(Option.getOrThrow(creditorReference(number)))).toEqual(Option.some(numberKey(number)))
    }
  })

  it("finds the invoice numbers a reference may name", () => {
    expect(referenceKeys("RF98 INV2 0260 0012 3")).toEqual(["INV2026000123"])
    expect(referenceKeys("Payment inv-2026-000123, thanks")).toContain("INV2026000123")
    expect(referenceKeys("Rechnung RF98INV2026000123 vom 20.11.")).toContain("INV2026000123")
    expect(referenceKeys("a b")).toEqual([])
  })

  it("finds an invoice number written with INV, a dash, a space or nothing, anywhere in a free text", () => {
    const names = (text: string) => referenceKeys(text).includes("INV2026000003")
    for (
      const text of [
        "inv 2026-000003",
        "inv 2026 000003",
        "payment inv-2026-000003",
        "INV-2026-000003, thanks",
        "Invoice inv 2026-000003",
        "pay inv 2026-000003 now",
        "x inv 2026-000003",
        "Invoice INV 2026-000003",
        "payment for inv 2026 000003 thanks",
        "Rechnung INV2026000003.",
        "paid: inv2026 000003 (Acme)",
        "Inv-2026 000003/Acme",
        "INV-2026-000001 and INV-2026-000003",
        // A word's letters and digits name it, as before.
        "pay INV--2026-000003 now",
        "pay INV.2026.000003 now"
      ]
    ) expect(names(text), text).toBe(true)
    for (
      const text of [
        "XINV-2026-000003",
        "INV-2026-0000031",
        "pay XINV-2026-000003 now",
        "pay INV-2026-0000031 now",
        "pay xinv 2026 000003 now",
        "pay 1INV-2026-000003 now",
        "pay INV-2026-000003X now",
        "pay INV-2026-00000300 now",
        "pay INV 2026  000003 now",
        "pay INVOICE-2026-000003 now",
        "RF98INV2026000123"
      ]
    ) expect(names(text), text).toBe(false)
    expect(referenceKeys("Invoice inv 2026-000003 and inv 2026 000007")).toEqual(
      expect.arrayContaining(["INV2026000003", "INV2026000007"])
    )
    // The creditor reference is read as before.
    expect(referenceKeys("Rechnung RF98INV2026000123 vom 20.11.")).toContain("INV2026000123")
    expect(referenceKeys("RF98 INV2 0260 0012 3")).toEqual(["INV2026000123"])
  })
})
