import * as BigDecimal from "effect/BigDecimal"
import { describe, expect, it } from "vitest"
import { documentFilename } from "../../src/documents/model"
import { endpointOf, exemptionReason, taxCategoryCode, vatCountry } from "../../src/documents/peppol"

const rate = (text: string) => BigDecimal.unsafeFromString(text)

describe("Peppol codes", () => {
  it("an endpoint is the VAT id under its country's EAS scheme, else the email under EM, else none", () => {
    expect(endpointOf({ tax_id: "DE811907980", email: "a@b.example" })).toEqual({ scheme: "9930", id: "DE811907980" })
    expect(endpointOf({ tax_id: "ATU12345678", email: null })).toEqual({ scheme: "9914", id: "ATU12345678" })
    expect(endpointOf({ tax_id: "FR 40 303265045", email: null })).toEqual({ scheme: "9957", id: "FR40303265045" })
    expect(endpointOf({ tax_id: "123456789", email: "billing@acme.example" })).toEqual({ scheme: "EM", id: "billing@acme.example" })
    expect(endpointOf({ tax_id: null, email: null })).toBeNull()
    expect(vatCountry("DE811907980")).toBe("DE")
    expect(vatCountry("123")).toBeNull()
  })

  it("a tax category: S for any rate, AE for reverse charge, E for an exemption, Z for zero without a reason", () => {
    expect(taxCategoryCode({ rate: rate("19.0"), exemption_reason: null }, "none")).toBe("S")
    expect(taxCategoryCode({ rate: rate("7"), exemption_reason: null }, "reverse_charge")).toBe("S")
    expect(taxCategoryCode({ rate: rate("0"), exemption_reason: "Reverse charge (Art. 196)" }, "none")).toBe("AE")
    expect(taxCategoryCode({ rate: rate("0.0"), exemption_reason: null }, "reverse_charge")).toBe("AE")
    expect(taxCategoryCode({ rate: rate("0"), exemption_reason: "Exempt under § 4 UStG" }, "exempt")).toBe("E")
    expect(taxCategoryCode({ rate: rate("0"), exemption_reason: null }, "exempt")).toBe("E")
    expect(taxCategoryCode({ rate: rate("0"), exemption_reason: null }, "none")).toBe("Z")
    expect(exemptionReason("AE", null)).toBe("Reverse charge")
    expect(exemptionReason("E", "Exempt under § 4 UStG")).toBe("Exempt under § 4 UStG")
    expect(exemptionReason("Z", null)).toBeNull()
  })

  it("a document's file is named by the invoice's number, anything unsafe in a file name replaced", () => {
    expect(documentFilename({ number: "INV-2026-000042", id: "inv_1" } as never, "pdf")).toBe("INV-2026-000042.pdf")
    expect(documentFilename({ number: "A/B 7", id: "inv_1" } as never, "ubl")).toBe("A_B_7.xml")
    expect(documentFilename({ number: null, id: "inv_1" } as never, "pdf")).toBe("inv_1.pdf")
  })
})
