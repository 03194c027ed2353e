export * from "./model.js"
export * from "./policy.js"
export * from "./ports.js"
export * from "./service.js"
