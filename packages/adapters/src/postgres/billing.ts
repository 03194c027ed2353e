import * as Layer from "effect/Layer"
import { BillingInputRepoLive } from "./billing/inputs.js"
import { BillingInvoiceRepoLive } from "./billing/invoices.js"
import { BillingRunRepoLive } from "./billing/runs.js"

/** Billing's three repositories (billing/runs.ts, inputs.ts, invoices.ts), as one layer. */
export const BillingReposLive = Layer.mergeAll(BillingRunRepoLive, BillingInputRepoLive, BillingInvoiceRepoLive)
