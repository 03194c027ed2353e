import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import { call, channel, createKey, expectData } from "./harness"
import { createCustomer, setNow, V1 } from "./ordering-fixtures"
import { finalizedInvoiceOf } from "./payments-fixtures"

/**
 * What the reconciliation suites share: the statements under fixtures/reconciliation (read from
 * this package, never from ../shared), importing one, and the figures a user checks after.
 */

const FIXTURES = new URL("./fixtures/reconciliation/", import.meta.url)

/** A fixture's text. */
export const fixture = (name: string) => fs.readFileSync(new URL(name, FIXTURES), "utf8")

/** POST /reconciliation/statements with `body` as `contentType`. */
export const importStatement = (body: string, contentType: string, key?: string) =>
  call("POST", `${V1}/reconciliation/statements`, { key, raw: body, contentType })

export const importXml = (body: string, key?: string) => importStatement(body, "application/xml", key)
export const importCsv = (body: string, key?: string) => importStatement(body, "text/csv", key)

export const eur = (amount: string) => ({ amount, currency: "EUR" })

export const invoiceOf = (id: string, key?: string) =>
  Effect.map(call("GET", `${V1}/invoices/${id}`, { key }), (answer) => expectData(answer))

/** The customer's EUR balance: balance, amount due and credit available, as amounts. */
export const balanceOf = (customerId: string, key?: string) =>
  Effect.map(call("GET", `${V1}/customers/${customerId}/balance`, { key }), (answer) => {
    const eurBalance = expectData(answer).balances.find((b: any) => b.currency === "EUR")
    return eurBalance === undefined
      ? undefined
      : { balance: eurBalance.balance.amount, due: eurBalance.amount_due.amount, credit: eurBalance.credit_available.amount }
  })

export const paymentsOf = (invoiceId: string, key?: string) =>
  Effect.map(call("GET", `${V1}/payments?invoice_id=${invoiceId}`, { key }), (answer) => expectData(answer))

/**
 * The world of the camt.053 fixtures: on 20 November 2026, a fresh partner (Fjord Telecom) with a
 * manager key, its customers Acme and Globex, and their six finalized invoices, numbered
 * INV-2026-000001 to 000006 in this order as the statements name them:
 * Acme 100.00, Acme 50.00, Globex 200.00, Globex 40.00, Acme 75.00, Globex 60.00.
 */
export const fjordWorld = Effect.gen(function* () {
    yield* setNow("2026-11-20T12:00:00Z")
    const { partner, partnerKey, distributorKey } = yield* channel()
    const managerKey = yield* createKey(partner.id, "manager")
    const acme = yield* createCustomer(partner.id, { name: "Acme GmbH" })
    const globex = yield* createCustomer(partner.id, { name: "Globex AB" })
    const invoices: Array<string> = []
    for (const [customer, amount] of [[acme, "100.00"], [acme, "50.00"], [globex, "200.00"], [globex, "40.00"], [acme, "75.00"], [globex, "60.00"]] as const) {
      invoices.push(yield* finalizedInvoiceOf(customer.id, amount))
    }
    const numbers = yield* Effect.forEach(invoices, (id) => Effect.map(invoiceOf(id), (invoice) => invoice.number))
    if (numbers.join() !== [1, 2, 3, 4, 5, 6].map((n) => `INV-2026-00000${n}`).join()) {
      return yield* Effect.dieMessage(`the invoices are numbered ${numbers.join(", ")}, not as the statements name them`)
    }
    return { partner, partnerKey, distributorKey, managerKey, acme, globex, invoices }
  })

/** A credit as `camtStatement` books it. */
export interface CamtCredit {
  /** The bank's reference of the entry (unique per statement). */
  readonly ref: string
  readonly amount: string
  /** The structured creditor reference the payer quoted (`RF..`). */
  readonly creditorReference: string
  readonly debtor: string
  /** `PDNG` for an entry the bank has not booked yet (default `BOOK`). */
  readonly status?: "BOOK" | "PDNG"
  /** The bank's reference of the entry, when another statement reports the same transaction (default: from the statement's id). */
  readonly bankRef?: string
}

/**
 * A camt.053.001.02 statement of one day with one booked credit entry per `credits`, each with its
 * transaction details and structured remittance (what a SEPA credit transfer looks like).
 */
export const camtStatement = (options: { readonly id: string; readonly date: string; readonly iban: string; readonly credits: ReadonlyArray<CamtCredit> }) => {
  const entries = options.credits.map((credit) => `
      <Ntry>
        <NtryRef>${credit.ref}</NtryRef>
        <Amt Ccy="EUR">${credit.amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>${credit.status ?? "BOOK"}</Sts>
        <BookgDt><Dt>${options.date}</Dt></BookgDt>
        <ValDt><Dt>${options.date}</Dt></ValDt>
        <AcctSvcrRef>${credit.bankRef ?? `${options.id}-${credit.ref}`}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>${credit.bankRef ?? `${options.id}-${credit.ref}`}-1</AcctSvcrRef><EndToEndId>E2E-${credit.ref}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">${credit.amount}</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>${credit.debtor}</Nm></Dbtr></RltdPties>
            <RmtInf>
              <Strd>
                <CdtrRefInf>
                  <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>
                  <Ref>${credit.creditorReference}</Ref>
                </CdtrRefInf>
              </Strd>
            </RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>`).join("")
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>${options.id}</MsgId><CreDtTm>${options.date}T22:00:00+00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${options.id}</Id>
      <CreDtTm>${options.date}T22:00:00+00:00</CreDtTm>
      <Acct><Id><IBAN>${options.iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>${entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>`
}
