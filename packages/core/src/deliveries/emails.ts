import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { StoredEvent } from "../events/model.js"
import type { EmailMessage } from "../notifications/model.js"
import type { MailSender, NotificationDirectory } from "../notifications/ports.js"
import { EMAIL_EVENTS, renderEmail } from "../notifications/templates.js"

/** The one target every email delivery has: the configured mail server (one circuit for it). */
export const EMAIL_TARGET = "smtp"

/** How long a mail server has to accept a message. */
export const EMAIL_TIMEOUT_MS = 30_000

export interface EmailPlanDeps {
  readonly mail: Context.Tag.Service<typeof MailSender>
  readonly directory: Context.Tag.Service<typeof NotificationDirectory>
}

/**
 * The emails a dispatch batch's events make, rendered now (the brand and addresses of this
 * moment): one read of the recipients of every customer concerned, none when no mail server is
 * configured.
 */
export const planEmails = ({ directory, mail }: EmailPlanDeps, events: ReadonlyArray<StoredEvent>) =>
  Effect.gen(function* () {
    if (!mail.enabled) return []
    const concerned = events.filter((stored) => EMAIL_EVENTS.has(stored.event.type) && stored.event.customer_id !== null)
    if (concerned.length === 0) return []
    const recipients = yield* directory.recipients([...new Set(concerned.map((stored) => stored.event.customer_id!))])
    const planned: Array<{ readonly stored: StoredEvent; readonly message: EmailMessage }> = []
    for (const stored of concerned) {
      const recipient = recipients.get(stored.event.customer_id!)
      if (recipient === undefined) continue
      const message = renderEmail(stored.event.type, stored.event.data, recipient)
      if (message !== null) planned.push({ stored, message })
    }
    return planned
  })
