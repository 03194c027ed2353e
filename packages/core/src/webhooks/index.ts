export * from "./model.js"
export * from "./patterns.js"
export * from "./ports.js"
export * from "./service.js"
