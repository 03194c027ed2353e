export * from "./model.js"
export * from "./ports.js"
export * from "./references.js"
export * from "./service.js"
