import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { EventLog } from "../events/ports.js"
import { MailSender, NotificationDirectory, noMail } from "../notifications/ports.js"
import { ProvisioningTargetRepo, PushSender } from "../provisioning/ports.js"
import { RetryPolicyOption } from "../provisioning/config.js"
import { Transactor } from "../shared/transactor.js"
import { QuantityRequestRepo, SubscriptionRepo } from "../subscriptions/ports.js"
import { Subscriptions } from "../subscriptions/service.js"
import { WebhookRepo } from "../webhooks/ports.js"
import { makeAdmin } from "./admin.js"
import { makeDispatcher } from "./dispatcher.js"
import { DeliveryRepo, DeliverySigner } from "./ports.js"
import { DeliverySignals } from "./signals.js"
import { makeWorker } from "./worker.js"
import { DeliveryLimits } from "./limits.js"

export { CLAIM_BATCH, DISPATCH_BATCH, IN_FLIGHT, LEASE_MARGIN_MILLIS, PER_TARGET, WEBHOOK_TIMEOUT_MS } from "./limits.js"

/**
 * Deliveries, one file per job: dispatcher.ts (events into deliveries), worker.ts (claim, sign,
 * send, record), admin.ts (what callers read and replay). Here they share their dependencies.
 */
export const make = Effect.gen(function* () {
  const repo = yield* DeliveryRepo
  const transactor = yield* Transactor
  const subscriptions = yield* Subscriptions
  const targets = yield* ProvisioningTargetRepo
  // Email is optional: a host that provides no mail server sends none.
  const mail = Option.getOrElse(yield* Effect.serviceOption(MailSender), () => noMail)
  const { dispatch, dispatchBatch } = makeDispatcher({
    repo,
    targets,
    subscriptionRepo: yield* SubscriptionRepo,
    transactor,
    email: { mail, directory: yield* NotificationDirectory }
  })
  const { runOnce, runUntil, serve } = makeWorker({
    repo,
    targets,
    webhooks: yield* WebhookRepo,
    subscriptions,
    sender: yield* PushSender,
    signer: yield* DeliverySigner,
    mail,
    log: yield* EventLog,
    transactor,
    signals: yield* DeliverySignals,
    policy: yield* RetryPolicyOption,
    limits: yield* DeliveryLimits,
    dispatchBatch
  })
  return { dispatch, runOnce, runUntil, serve, ...makeAdmin({ repo, requests: yield* QuantityRequestRepo, subscriptions, transactor }) } as const
})

export class Deliveries extends Context.Tag("@provisio/core/Deliveries")<Deliveries, Effect.Effect.Success<typeof make>>() {
  static readonly layer = Layer.effect(Deliveries, make)
}
