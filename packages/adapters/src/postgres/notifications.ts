import * as SqlClient from "@effect/sql/SqlClient"
import type { Recipient } from "@provisio/core/notifications/model"
import { NotificationDirectory } from "@provisio/core/notifications/ports"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pgArray } from "./arrays.js"
import { parseJson } from "./json.js"
import { orPersistenceError } from "./persistence.js"

/**
 * Who a customer's emails go to and under whose brand, for many customers in one statement: its
 * contacts whose role is `billing` (else its own email), its language, and its partner's name and
 * branding (the partner issues its invoices).
 */
export const NotificationDirectoryLive = Layer.effect(
  NotificationDirectory,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const recipients = (customerIds: ReadonlyArray<string>) =>
      Effect.map(
        sql<{
          readonly id: string
          readonly name: string
          readonly emails: ReadonlyArray<string> | null
          readonly language: string
          readonly e_invoicing: boolean
          readonly partner_name: string
          readonly branding: unknown
        }>`
          select c.id, c.name, c.language, c.e_invoicing, a.name as partner_name, s.branding,
                 coalesce(
                   (select array_agg(k.email order by k.created_at, k.id) from contacts k
                     where k.customer_id = c.id and lower(k.role) = 'billing' and k.email is not null),
                   case when c.email is null then array[]::text[] else array[c.email] end) as emails
            from customers c
            join accounts a on a.id = c.partner_id
            left join account_settings s on s.account_id = c.partner_id
           where c.id = any(${pgArray([...customerIds])}::text[])`,
        (rows) =>
          new Map(rows.map((row): [string, Recipient] => {
            const branding = (parseJson(row.branding) ?? {}) as Record<string, string | null | undefined>
            return [row.id, {
              customer_id: row.id,
              customer_name: row.name,
              emails: row.emails ?? [],
              language: row.language,
              e_invoicing: row.e_invoicing,
              brand: {
                name: branding["display_name"] ?? row.partner_name,
                primary_color: branding["primary_color"] ?? null,
                logo_url: branding["logo_url"] ?? null,
                support_email: branding["support_email"] ?? null
              }
            }]
          }))
      )

    return NotificationDirectory.of({ recipients: (customerIds) => orPersistenceError(recipients(customerIds)) })
  })
)
