/** The gateway service: HTTP API, `/v1/live` WebSocket push of alert events, alert history, Prometheus metrics. */
export { startGateway, type Gateway, type GatewayOptions } from './server.js';
export { runMigrations, type History, type HistoryOptions } from './history/index.js';
