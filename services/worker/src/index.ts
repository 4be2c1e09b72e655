export * from "./workerService.js";
