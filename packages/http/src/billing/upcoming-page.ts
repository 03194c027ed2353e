import type { UpcomingInvoice } from "@provisio/core/billing/model"
import { type Page, type PageRequest, toPage } from "@provisio/core/shared/pagination"

/**
 * The upcoming invoices have no id: each is named by its month and currency (`upc_202701eur`),
 * which sorts as the preview orders them (month, then currency), and is what the cursor carries.
 */
const keyOf = (invoice: UpcomingInvoice) => `upc_${invoice.period.replace("-", "")}${invoice.currency.toLowerCase()}`

/** A page of the preview, like every list's: `limit` of them after the cursor's, `next_cursor` while more follow. */
export const upcomingPage = (all: ReadonlyArray<UpcomingInvoice>, request: PageRequest): Page<UpcomingInvoice> => {
  const keyed = all.map((invoice) => ({ id: keyOf(invoice), invoice }))
  const after = request.after
  const page = toPage(after === undefined ? keyed : keyed.filter((k) => k.id > after), request)
  return { ...page, items: page.items.map((k) => k.invoice) }
}
