import type * as Context from "effect/Context"
import type { EventLog } from "../events/ports.js"
import type { InvoiceRepo } from "../invoices/ports.js"
import type { ApplyReceivedMoney } from "../payments/apply.js"
import type { PaymentRepo } from "../payments/ports.js"
import type { Transactor } from "../shared/transactor.js"
import type { ReconciliationRepo, XmlReader } from "./ports.js"

/** The ports the reconciliation's jobs use, given once by service.ts. */
export interface ReconciliationDeps {
  readonly repo: Context.Tag.Service<typeof ReconciliationRepo>
  readonly xml: Context.Tag.Service<typeof XmlReader>
  readonly invoices: Context.Tag.Service<typeof InvoiceRepo>
  readonly payments: Context.Tag.Service<typeof PaymentRepo>
  readonly log: Context.Tag.Service<typeof EventLog>
  readonly transactor: Context.Tag.Service<typeof Transactor>
  readonly applyReceivedMoney: ApplyReceivedMoney
}
