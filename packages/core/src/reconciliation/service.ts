import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { EventLog } from "../events/ports.js"
import { InvoiceRepo } from "../invoices/ports.js"
import { makeApplyReceivedMoney } from "../payments/apply.js"
import { PaymentRepo } from "../payments/ports.js"
import { Transactor } from "../shared/transactor.js"
import type { ReconciliationDeps } from "./deps.js"
import { makeImports } from "./imports.js"
import { makeLines } from "./lines.js"
import { ReconciliationRepo, XmlReader } from "./ports.js"
import { makeReads } from "./reads.js"

export const make = Effect.gen(function* () {
  const deps: ReconciliationDeps = {
    repo: yield* ReconciliationRepo,
    xml: yield* XmlReader,
    invoices: yield* InvoiceRepo,
    payments: yield* PaymentRepo,
    log: yield* EventLog,
    transactor: yield* Transactor,
    applyReceivedMoney: yield* makeApplyReceivedMoney
  }
  return { ...makeImports(deps), ...makeReads(deps), ...makeLines(deps) } as const
})

/** Bank statements: imports that pay invoices, their lines, and assigning what matched nothing. */
export class Reconciliation extends Context.Tag("@provisio/core/Reconciliation")<
  Reconciliation,
  Effect.Effect.Success<typeof make>
>() {
  static readonly layer = Layer.effect(Reconciliation, make)
}
