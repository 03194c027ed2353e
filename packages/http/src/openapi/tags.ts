import type { Spec } from "./spec.js"

/**
 * The document's tags: one per group of endpoints, with a title a reader scans for and what the
 * group holds. Groups keep their short identifiers in code; the document shows these.
 */

const TAGS: Record<string, { readonly name: string; readonly description: string }> = {
  Operations: { name: "Operations", description: "Liveness and readiness, for load balancers and orchestrators." },
  catalog: { name: "Catalog", description: "Products, plans and their versions, SKUs with their prices, and where products are sold." },
  numbers: { name: "Numbers", description: "The phone-number inventory: search, add, and reservations held for a customer." },
  "Federated sign-in": { name: "Federated sign-in", description: "Signing in with an OpenID Connect provider configured in the settings." },
  ordering: { name: "Orders", description: "Orders: a draft with items, checked out into subscriptions, purchases or quantity changes." },
  subscriptions: { name: "Subscriptions", description: "Subscriptions through their life cycle: renewal, quantity, cancellation, add-ons." },
  activations: { name: "Activations", description: "What a subscription sets up: networks, SSIDs and devices." },
  support: { name: "Support", description: "Tickets and their comments." },
  invoices: { name: "Invoices", description: "Invoices, voiding, and the billing summary of a month." },
  usage: { name: "Usage", description: "Metered usage: reporting records (idempotent by transaction id) and reading the totals." },
  payments: { name: "Payments", description: "Payments against invoices, credit notes, and a customer's balance." },
  reconciliation: {
    name: "Reconciliation",
    description: "Bank statements (camt.053, CSV) whose transfers pay invoices, and assigning the ones that named none."
  },
  commissions: { name: "Commissions", description: "Commission rules for the channel, what they earned, and the statements finance settles." },
  pricing: {
    name: "Price lists",
    description: "What each tier of the channel charges the one below it, and a plan's price for a customer or account with the chain that set it."
  },
  channel: {
    name: "Channel",
    description: "Each tier's margins, and the invoices a distributor or the platform issues up the channel for its buyers' costs."
  },
  exports: { name: "Exports", description: "A month of invoices, lines, rated usage or commission entries as CSV or NDJSON, for finance and ERP systems." },
  billing: { name: "Billing", description: "Billing runs, finalizing drafts, and the upcoming invoice." },
  inventory: { name: "Inventory", description: "What a customer has in service: connections and products." },
  numberOrders: { name: "Number orders", description: "Ordering numbers for a customer: any, reserved, ranges, ports, moves, changes, removals." },
  events: { name: "Events", description: "The event log of everything that changed, in the caller's scope." },
  provisioning: { name: "Provisioning", description: "How a product's subscriptions are pushed to the system that delivers the service." },
  webhooks: { name: "Webhooks", description: "Endpoints that receive the events, signed." },
  deliveries: { name: "Deliveries", description: "Outbound calls (provisioning pushes, webhooks): their attempts, and replaying them." }
}

export const describeTags = (spec: Spec): Spec => {
  const rename = (tag: string) => TAGS[tag]?.name ?? tag
  for (const item of Object.values<any>(spec.paths ?? {})) {
    for (const operation of Object.values<any>(item)) {
      if (Array.isArray(operation?.tags)) operation.tags = operation.tags.map(rename)
    }
  }
  spec.tags = (spec.tags ?? []).map((tag: { name: string; description?: string }) => ({
    ...tag,
    name: rename(tag.name),
    description: tag.description ?? TAGS[tag.name]?.description ?? tag.name
  }))
  return spec
}
