/** The gateway service: HTTP API, `/v1/live` WebSocket push of alert events, Prometheus metrics. */
export { startGateway, type Gateway, type GatewayOptions } from './server.js';
