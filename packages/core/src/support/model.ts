import * as Schema from "effect/Schema"
import { AccountKind } from "../identity/model.js"
import { prefixedId } from "../shared/ids.js"
import { Text } from "../shared/text.js"
import { Timestamp } from "../shared/time.js"
import { readOnlyField } from "../shared/read-only.js"

/**
 * Support: tickets (`tkt_`) a customer raises (or its channel raises for it), with comments
 * (`tcm_`). Internal comments are the channel's: customers never see them. Every change is a
 * `ticket.*` event of the customer's lineage, so webhooks deliver it like any other.
 */

export const TicketId = prefixedId("tkt", "TicketId")
export type TicketId = typeof TicketId.Type
export const TicketCommentId = prefixedId("tcm", "TicketCommentId")
export type TicketCommentId = typeof TicketCommentId.Type

export const TicketPriority = Schema.Literal("low", "normal", "high", "urgent")
export type TicketPriority = typeof TicketPriority.Type
export const TicketStatus = Schema.Literal("open", "pending", "resolved", "closed")
export type TicketStatus = typeof TicketStatus.Type

export class Ticket extends Schema.Class<Ticket>("Ticket")({
  id: TicketId,
  customer_id: Schema.String,
  subject: Schema.String,
  description: Schema.String,
  priority: TicketPriority,
  status: TicketStatus,
  category: Schema.NullOr(Schema.String),
  /** The user id or API key id of the caller that opened it. */
  created_by: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp
}) {}

export class TicketAuthor extends Schema.Class<TicketAuthor>("TicketAuthor")({
  user_id: Schema.NullOr(Schema.String),
  api_key_id: Schema.NullOr(Schema.String),
  account_id: Schema.String,
  account_kind: AccountKind
}) {}

export class TicketComment extends Schema.Class<TicketComment>("TicketComment")({
  id: TicketCommentId,
  ticket_id: TicketId,
  body: Schema.String,
  author: TicketAuthor,
  internal: Schema.Boolean,
  created_at: Timestamp
}) {}

export class CreateTicket extends Schema.Class<CreateTicket>("CreateTicket")({
  /** Required, except from a customer, whose ticket is its own when it names none. */
  customer_id: Schema.optional(Schema.String),
  subject: Text(200),
  description: Text(5000),
  /** Default `normal`. */
  priority: Schema.optional(TicketPriority),
  category: Schema.optional(Schema.NullOr(Text(200)))
}) {}

export class UpdateTicket extends Schema.Class<UpdateTicket>("UpdateTicket")({
  subject: Schema.optional(Text(200)),
  description: Schema.optional(Text(5000)),
  priority: Schema.optional(TicketPriority),
  /** Any status to any other, except that a closed ticket only reopens (`open`). */
  status: Schema.optional(TicketStatus),
  category: Schema.optional(Schema.NullOr(Text(200))),
  /** Read-only (shared/read-only.ts): taken only as they are, so a ticket read and sent back whole is taken. */
  customer_id: readOnlyField,
  created_by: readOnlyField,
  id: readOnlyField,
  created_at: readOnlyField,
  updated_at: readOnlyField
}) {}

export class CreateTicketComment extends Schema.Class<CreateTicketComment>("CreateTicketComment")({
  body: Text(5000),
  /** Default false; only partners and above may write internal comments. */
  internal: Schema.optional(Schema.Boolean)
}) {}

/** A ticket with its place in the hierarchy (the customer's lineage). */
export interface StoredTicket {
  readonly ticket: Ticket
  readonly lineage: ReadonlyArray<string>
}

export interface TicketListFilter {
  readonly status?: TicketStatus | undefined
  readonly customer_id?: string | undefined
}
