import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { EmailMessage } from "../notifications/model.js"
import { MailSender, noMail } from "../notifications/ports.js"
import { type PushOutcome, PushTransportError } from "../provisioning/push.js"
import { Documents } from "./service.js"

/**
 * The mail sender with documents: an email that names documents (`EmailMessage.documents`, the
 * invoice email) gets them rendered now, at sending, and handed to the real sender as
 * `attachments`. The delivery's stored body keeps the reference only, and the bytes are the same
 * on every attempt (documents render deterministically).
 *
 * A database that fails is a transport error (retried); an invoice that is gone or not finalized
 * (neither happens to a finalized invoice) is a permanent refusal (400, dead).
 */
export const withDocumentAttachments = Layer.effect(
  MailSender,
  Effect.gen(function* () {
    // A host that brings no mail server sends no email, documents or not.
    const mail = Option.getOrElse(yield* Effect.serviceOption(MailSender), () => noMail)
    const documents = yield* Documents
    const send = (message: EmailMessage, timeoutMillis: number): Effect.Effect<PushOutcome> => {
      const wanted = message.documents
      if (wanted === undefined || wanted.kinds.length === 0) return mail.send(message, timeoutMillis)
      return documents.renderForDelivery(wanted.invoice_id, wanted.kinds).pipe(
        Effect.matchEffect({
          onSuccess: (attachments) => mail.send({ ...message, attachments }, timeoutMillis),
          onFailure: (error): Effect.Effect<PushOutcome> =>
            Effect.succeed(error._tag === "PersistenceError"
              ? new PushTransportError({ kind: "connection", message: `the documents could not be read: ${error.message}`, latency_ms: 0 })
              : { status: 400, latency_ms: 0, body_excerpt: `the documents could not be made: ${error.message}`, retry_after: null, configuration: null })
        })
      )
    }
    return MailSender.of({ enabled: mail.enabled, send })
  })
)
