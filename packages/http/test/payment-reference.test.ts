import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import { creditorReference } from "@provisio/core/reconciliation/references"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { call, channel, expectData } from "./harness"
import { chargeOf, draftInvoice, finalizedInvoice } from "./invoice-fixtures"
import { createCustomer, OrderingServer, V1 } from "./ordering-fixtures"

/**
 * The creditor reference printed on an invoice (written by the database, migration 0023) is the
 * one reconciliation matches (core `creditorReference`): the two rules give the same answers.
 */
describe("payment reference", () => {
  it.layer(OrderingServer)("on the invoice", (it) => {
    it.effect("a finalized invoice carries the RF reference of its number; a draft none", () =>
      Effect.gen(function* () {
        const { partner, partnerKey } = yield* channel()
        const customer = yield* createCustomer(partner.id)
        const finalized = expectData(yield* call("GET", `${V1}/invoices/${yield* finalizedInvoice({ customerId: customer.id, lines: [chargeOf("9.99")] })}`, { key: partnerKey }))
        expect(finalized.payment_reference).toBe(Option.getOrNull(creditorReference(finalized.number)))
        expect(finalized.payment_reference).toMatch(/^RF\d{2}INV\d{10}$/)
        const draft = expectData(yield* call("GET", `${V1}/invoices/${yield* draftInvoice({ customerId: customer.id, lines: [chargeOf("1.00")] })}`, { key: partnerKey }))
        expect(draft.payment_reference).toBe(null)
      }))

    it.effect("the database's rule and the core's agree, letters, digits, separators and limits alike", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const numbers = ["INV-2026-000001", "INV-2026-000123", "inv 2027-999999", "A", "0", "ZZZZ-9999", "X".repeat(21), "X".repeat(22), "---"]
        for (const number of numbers) {
          const [row] = yield* sql<{ readonly reference: string | null }>`select provisio_creditor_reference(${number}) as reference`
          expect(row?.reference ?? null, number).toBe(Option.getOrNull(creditorReference(number)))
        }
      }))
  })
})
