import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, channel, createKey, expectData, expectError } from "./harness"
import { OrderingServer, V1 } from "./ordering-fixtures"

/** Who sells to whom: a customer's tax id and exemption, an issuer's legal details. */
describe("tax identities", () => {
  it.layer(OrderingServer)("customers and issuers", (it) => {
    it.effect("a customer's tax id is checked for its country's format and stored normalized; exemption defaults to none", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const created = expectData(yield* call("POST", `${V1}/customers`, {
          key: partnerKey,
          body: { name: "Acme GmbH", tax_id: "de 811 907 980", address: { country: "DE" } }
        }), 201)
        expect(created).toMatchObject({ tax_id: "DE811907980", tax_exempt: "none", language: "en" })
        const austrian = expectData(yield* call("POST", `${V1}/customers`, {
          key: partnerKey,
          body: { name: "Wien AG", tax_id: "ATU12345678", tax_exempt: "reverse_charge" }
        }), 201)
        expect(austrian).toMatchObject({ tax_id: "ATU12345678", tax_exempt: "reverse_charge" })
        const american = expectData(yield* call("POST", `${V1}/customers`, {
          key: partnerKey,
          body: { name: "Acme Inc", tax_id: "12-3456789", address: { country: "US" } }
        }), 201)
        expect(american.tax_id).toBe("123456789")

        for (const [taxId, message] of [["DE12345", /DE VAT number/], ["XX123456789", /prefix/], ["ATU1234", /AT VAT number/]] as const) {
          const refused = yield* call("POST", `${V1}/customers`, { key: partnerKey, body: { name: "Bad", tax_id: taxId } })
          expectError(refused, 422, "validation_error", "tax_id")
          expect(refused.body.error.message).toMatch(message)
        }
        // Cleared with null; the exemption changes on its own.
        expect(expectData(yield* call("PUT", `${V1}/customers/${created.id}`, { key: partnerKey, body: { tax_id: null, tax_exempt: "exempt" } })))
          .toMatchObject({ tax_id: null, tax_exempt: "exempt" })

        // The exemption is the seller's call: a customer may give its tax id, not exempt itself from tax.
        const customerKey = yield* createKey(austrian.id)
        const selfExempt = yield* call("PUT", `${V1}/customers/${austrian.id}`, { key: customerKey, body: { tax_exempt: "exempt" } })
        expectError(selfExempt, 403, "forbidden")
        expect(selfExempt.body.error.message).toContain("tax_exempt")
        expect(expectData(yield* call("PUT", `${V1}/customers/${austrian.id}`, { key: customerKey, body: { tax_id: "ATU87654321" } })))
          .toMatchObject({ tax_id: "ATU87654321", tax_exempt: "reverse_charge" })
      }))

    it.effect("an issuer's legal details: IBAN check digits and BIC format are checked, the IBAN kept compact", () =>
      Effect.gen(function* () {
        const { partnerKey } = yield* channel()
        const legal = {
          name: "Fjord Telecom GmbH",
          address: { line1: "Hafenstr. 2", city: "Hamburg", postal_code: "20457", country: "DE" },
          country: "DE",
          tax_id: "DE811907980",
          iban: "DE89 3704 0044 0532 0130 00",
          bic: "COBADEFFXXX",
          payment_instructions: "Please quote the reference RF.. printed on the invoice."
        }
        const saved = expectData(yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal } }))
        expect(saved.legal).toMatchObject({ ...legal, iban: "DE89370400440532013000", tax_country: null })
        expectError(
          yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { ...legal, iban: "DE89 3704 0044 0532 0130 01" } } }),
          422,
          "validation_error",
          "legal.iban"
        )
        expectError(
          yield* call("PUT", `${V1}/settings`, { key: partnerKey, body: { legal: { ...legal, bic: "COBA" } } }),
          422,
          "validation_error",
          "legal.bic"
        )
      }))
  })
})
