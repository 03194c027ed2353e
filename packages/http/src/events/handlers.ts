import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Events } from "@provisio/core/events/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { listAsCaller } from "../pagination.js"

export const EventsHandlers = HttpApiBuilder.group(ProvisioApi, "events", (handlers) =>
  Effect.map(Events, (events) =>
    handlers.handle("listEvents", ({ urlParams }) =>
      listAsCaller(urlParams, (p, page) =>
        events.listEvents(p, { type: urlParams.type, customer_id: urlParams.customer_id }, page)))))
