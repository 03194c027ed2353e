import * as SqlClient from "@effect/sql/SqlClient"
import { AccountKind } from "@provisio/core/identity/model"
import { toPage } from "@provisio/core/shared/pagination"
import { Timestamp } from "@provisio/core/shared/time"
import { type StoredTicket, Ticket, TicketAuthor, TicketComment } from "@provisio/core/support/model"
import { TicketRepo } from "@provisio/core/support/ports"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { pageClause } from "./pagination.js"
import { orPersistenceError } from "./persistence.js"

const TicketRow = Schema.Struct({ ...Ticket.fields, lineage: Schema.Array(Schema.String) })
const CommentRow = Schema.Struct({
  id: TicketComment.fields.id,
  ticket_id: TicketComment.fields.ticket_id,
  body: Schema.String,
  author_user_id: Schema.NullOr(Schema.String),
  author_api_key_id: Schema.NullOr(Schema.String),
  author_account_id: Schema.String,
  author_account_kind: AccountKind,
  internal: Schema.Boolean,
  created_at: Timestamp
})

const decodeTickets = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<StoredTicket>, any> =>
  Effect.map(
    Schema.decodeUnknown(Schema.Array(TicketRow))(rows),
    (decoded) => decoded.map(({ lineage, ...fields }) => ({ ticket: new Ticket(fields), lineage }))
  )

const decodeComments = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<TicketComment>, any> =>
  Effect.map(
    Schema.decodeUnknown(Schema.Array(CommentRow))(rows),
    (decoded) =>
      decoded.map((r) =>
        new TicketComment({
          id: r.id,
          ticket_id: r.ticket_id,
          body: r.body,
          author: new TicketAuthor({
            user_id: r.author_user_id,
            api_key_id: r.author_api_key_id,
            account_id: r.author_account_id,
            account_kind: r.author_account_kind
          }),
          internal: r.internal,
          created_at: r.created_at
        })
      )
  )

export const TicketRepoLive = Layer.effect(
  TicketRepo,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const find = (id: string, lock: boolean) =>
      orPersistenceError(Effect.flatMap(
        sql`select * from tickets where id = ${id} ${lock ? sql`for update` : sql``}`,
        decodeTickets
      )).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))
    return TicketRepo.of({
      insert: ({ lineage, ticket: t }) =>
        orPersistenceError(sql`insert into tickets ${
          sql.insert({
            id: t.id,
            customer_id: t.customer_id,
            lineage: [...lineage],
            subject: t.subject,
            description: t.description,
            priority: t.priority,
            status: t.status,
            category: t.category,
            created_by: t.created_by,
            created_at: DateTime.formatIso(t.created_at),
            updated_at: DateTime.formatIso(t.updated_at)
          })
        }`).pipe(Effect.asVoid),
      update: (t) =>
        orPersistenceError(sql`update tickets set ${
          sql.update({
            subject: t.subject,
            description: t.description,
            priority: t.priority,
            status: t.status,
            category: t.category,
            updated_at: DateTime.formatIso(t.updated_at)
          })
        } where id = ${t.id}`).pipe(Effect.asVoid),
      findById: (id) => find(id, false),
      lock: (id) => find(id, true),
      list: (within, filter, page) =>
        orPersistenceError(Effect.flatMap(
          sql`select * from tickets where lineage @> array[${within}]::text[]
              ${filter.status === undefined ? sql`` : sql`and status = ${filter.status}`}
              ${filter.customer_id === undefined ? sql`` : sql`and customer_id = ${filter.customer_id}`}
              ${pageClause(sql, page)}`,
          decodeTickets
        )).pipe(Effect.map((rows) => toPage(rows.map((r) => r.ticket), page))),
      insertComment: (c) =>
        orPersistenceError(sql`insert into ticket_comments ${
          sql.insert({
            id: c.id,
            ticket_id: c.ticket_id,
            body: c.body,
            author_user_id: c.author.user_id,
            author_api_key_id: c.author.api_key_id,
            author_account_id: c.author.account_id,
            author_account_kind: c.author.account_kind,
            internal: c.internal,
            created_at: DateTime.formatIso(c.created_at)
          })
        }`).pipe(Effect.asVoid),
      listComments: (ticketId, withInternal, page) =>
        orPersistenceError(Effect.flatMap(
          sql`select * from ticket_comments where ticket_id = ${ticketId}
              ${withInternal ? sql`` : sql`and internal = false`}
              ${pageClause(sql, page)}`,
          decodeComments
        )).pipe(Effect.map((rows) => toPage(rows, page)))
    })
  })
)
