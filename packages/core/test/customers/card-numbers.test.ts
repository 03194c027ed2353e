import { describe, expect, it } from "@effect/vitest"
import { containsCardNumber, findCardNumberField, passesLuhn } from "../../src/customers/card-numbers"

describe("card numbers", () => {
  it("checks the Luhn sum", () => {
    expect(passesLuhn("4111111111111111")).toBe(true)
    expect(passesLuhn("4111111111111112")).toBe(false)
    expect(passesLuhn("")).toBe(false)
  })

  it.each([
    ["a Visa test number", "4111111111111111"],
    ["a Visa number in groups of four", "4242 4242 4242 4242"],
    ["a Mastercard number with dashes", "5555-5555-5555-4444"],
    ["a Mastercard 2-series number", "2223003122003222"],
    ["an Amex number (15 digits)", "3782 822463 10005"],
    ["a 19-digit Visa number", "4000 0000 0000 0000 006"],
    ["a number inside other text", "tok_4111111111111111"],
    ["a number after a label", "card: 5555 5555 5555 4444, exp 12/29"]
  ])("finds %s", (_, text) => {
    expect(containsCardNumber(text)).toBe(true)
  })

  it.each([
    ["a last4", "4242"],
    ["16 random digits that fail Luhn", "1234567812345678"],
    ["a gateway token", "tok_visa"],
    ["a gateway id with a few digits", "pm_1Nv2s3AbCdEf"],
    ["a Luhn-valid run of 12 digits (too short)", "4111 1111 1117"],
    ["a Luhn-valid run of 20 digits (too long for a card)", "41111111111111111115"],
    ["an expiry", "12/2029"],
    ["an id of ours whose base32 holds a Luhn-valid run between letters", "con_01m98qk4111111111111111k"],
    ["a Luhn-valid run at the end of an id, after a letter", "pm_01m98qkwb8k4111111111111111"],
    ["an empty string", ""]
  ])("accepts %s", (_, text) => {
    expect(containsCardNumber(text)).toBe(false)
  })

  it("names the field holding a card number", () => {
    expect(findCardNumberField({ type: "card", brand: "visa", token: "4111 1111 1111 1111", last4: "1111" })).toBe("token")
    expect(findCardNumberField({ type: "card", gateway: "stripe", token: "tok_visa", last4: "4242", exp_month: 12 }))
      .toBeUndefined()
  })
})
