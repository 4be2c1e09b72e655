export * from "./ingestService.js";
export * from "./framePublisher.js";
