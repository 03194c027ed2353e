import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Numbers } from "@provisio/core/numbers/service"
import * as Effect from "effect/Effect"
import { ProvisioApi } from "../api.js"
import { asCaller } from "../middleware/authentication.js"
import { listAsCaller } from "../pagination.js"

export const NumbersHandlers = HttpApiBuilder.group(ProvisioApi, "numbers", (handlers) =>
  Effect.map(Numbers, (numbers) =>
    handlers
      .handle("searchNumbers", ({ urlParams }) =>
        listAsCaller(urlParams, (p, page) => numbers.searchNumbers(p, urlParams, page)))
      .handle("addNumbers", ({ payload }) => asCaller((p) => numbers.addNumbers(p, payload)))
      .handle("listReservations", ({ path, urlParams }) =>
        listAsCaller(urlParams, (p, page) => numbers.listReservations(p, path.customerId, page)))
      .handle("createReservation", ({ path, payload }) =>
        asCaller((p) => numbers.createReservation(p, path.customerId, payload)))
      .handle("getReservation", ({ path }) =>
        asCaller((p) => numbers.getReservation(p, path.customerId, path.reservationId)))
      .handle("deleteReservation", ({ path }) =>
        asCaller((p) => numbers.deleteReservation(p, path.customerId, path.reservationId)))
  ))
