import { describe, expect, it } from "@effect/vitest"
import { readCamt053 } from "@provisio/core/reconciliation/camt053"
import { readCsvStatement } from "@provisio/core/reconciliation/csv"
import type { XmlElement } from "@provisio/core/reconciliation/xml"
import * as BigDecimal from "effect/BigDecimal"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"

/** A tiny element builder: `el("Amt", { Ccy: "EUR" }, "12.50")`, `el("Ntry", {}, [children])`. */
const el = (name: string, attributes: Record<string, string>, content: string | ReadonlyArray<XmlElement> = []): XmlElement => ({
  name,
  namespace: "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
  attributes,
  children: typeof content === "string" ? [] : content,
  text: typeof content === "string" ? content : ""
})
const t = (name: string, text: string) => el(name, {}, text)

const statement = (...entries: ReadonlyArray<XmlElement>) =>
  el("Document", {}, [el("BkToCstmrStmt", {}, [el("Stmt", {}, [
    t("Id", "S-1"),
    el("Acct", {}, [el("Id", {}, [t("IBAN", "DE89370400440532013000")])]),
    ...entries
  ])])])

const entry = (amount: string, direction: string, ...rest: ReadonlyArray<XmlElement>) =>
  el("Ntry", {}, [
    el("Amt", { Ccy: "EUR" }, amount),
    t("CdtDbtInd", direction),
    ...rest.filter((e) => e.name === "RvslInd"),
    el("Sts", {}, [t("Cd", "BOOK")]),
    el("BookgDt", {}, [t("Dt", "2026-11-20")]),
    t("AcctSvcrRef", `REF-${amount}`),
    ...rest.filter((e) => e.name !== "RvslInd")
  ])

const tx = (...children: ReadonlyArray<XmlElement>) => el("TxDtls", {}, children)

describe("camt.053", () => {
  it("a batch booking makes a line per transaction, each with its amount, references and debtor (.08 names)", () => {
    const read = Either.getOrThrow(readCamt053(statement(
      entry("150.00", "CRDT", el("NtryDtls", {}, [
        tx(
          el("Refs", {}, [t("EndToEndId", "E2E-1"), t("TxId", "TX-1")]),
          el("Amt", { Ccy: "EUR" }, "100.00"),
          el("RltdPties", {}, [el("Dbtr", {}, [el("Pty", {}, [t("Nm", "Acme GmbH")])])]),
          el("RmtInf", {}, [el("Strd", {}, [el("CdtrRefInf", {}, [t("Ref", "RF94INV2026000001")])]), t("Ustrd", "first")])
        ),
        tx(el("Amt", { Ccy: "EUR" }, "50.00"), el("RmtInf", {}, [t("Ustrd", "INV-2026-000002")]))
      ]))
    )))
    expect(read.statement_key).toBe("camt:DE89370400440532013000/S-1")
    expect(read.lines.map((l) => [BigDecimal.format(l.amount.amount), l.reference, l.counterparty, l.entry_key])).toEqual([
      ["100", "RF94INV2026000001", "Acme GmbH", "camt:DE89370400440532013000:REF-150.00:TX-1"],
      ["50", "INV-2026-000002", null, "camt:DE89370400440532013000:REF-150.00:#2"]
    ])
    expect(read.lines[0]!.references).toEqual([
      { text: "RF94INV2026000001", structured: true },
      { text: "first", structured: false },
      { text: "E2E-1", structured: false }
    ])
    expect(read.lines[0]!.match_refs).toEqual(["e2e:E2E-1", "tx:TX-1", "ref:RF94INV2026000001"])
    expect(DateTime.formatIso(read.lines[0]!.booked_at)).toBe("2026-11-20T00:00:00.000Z")
  })

  it("signs debits, marks returns, and names the place of what is wrong", () => {
    const read = Either.getOrThrow(readCamt053(statement(
      entry("9.90", "DBIT"),
      entry("60.00", "DBIT", t("RvslInd", "true"))
    )))
    expect(read.lines.map((l) => [BigDecimal.format(l.amount.amount), l.is_return])).toEqual([["-9.9", false], ["-60", true]])

    const problem = (document: XmlElement) => Either.getLeft(readCamt053(document)).pipe((e) => e._tag === "Some" ? e.value : undefined)
    expect(problem(statement(entry("1.005", "CRDT")))).toMatchObject({ field: "Stmt[1].Ntry[1].Amt" })
    expect(problem(statement(entry("-1.00", "CRDT")))?.message).toMatch(/must not be negative/)
    expect(problem(statement(entry("1.00", "CREDIT")))).toMatchObject({ field: "Stmt[1].Ntry[1].CdtDbtInd" })
    expect(problem(statement(entry("3.00", "CRDT", el("NtryDtls", {}, [tx(el("Amt", { Ccy: "EUR" }, "1.00")), tx()])))))
      .toMatchObject({ field: "Stmt[1].Ntry[1].TxDtls[2].Amt" })
    expect(problem({ ...statement(), namespace: "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" })).toMatchObject({ field: "Document" })
  })
})

describe("CSV", () => {
  it("keys identical rows apart and the same file alike", () => {
    const text = "date,amount,currency,reference,counterparty\n2026-11-20,5.00,EUR,x,y\n2026-11-20,5.00,EUR,x,y\n"
    const first = Either.getOrThrow(readCsvStatement(text))
    const again = Either.getOrThrow(readCsvStatement(text.replaceAll("\n", "\r\n")))
    expect(first.lines.map((l) => l.entry_key)).toEqual(again.lines.map((l) => l.entry_key))
    expect(new Set(first.lines.map((l) => l.entry_key)).size).toBe(2)
    expect(first.statement_key).toBe(again.statement_key)
  })

  it("names the line and column of what is wrong", () => {
    const problem = (text: string) => Either.getLeft(readCsvStatement(text)).pipe((e) => e._tag === "Some" ? e.value : undefined)
    expect(problem("date,amount,currency,reference,counterparty\n2026-02-30,1.00,EUR,,\n")).toMatchObject({ field: "date" })
    expect(problem("date,amount,currency,reference,counterparty\n2026-02-01,0,EUR,,\n")?.message).toBe("line 2: amount: \"0\" must not be zero")
    expect(problem("date,amount,currency,reference,counterparty\n2026-02-01,1,EUR,\"open,\n")?.message).toMatch(/line 2: a quoted field is never closed/)
  })
})
