export { httpProtocol, httpProtocol as default } from './http-plugin.js';
export { HttpTokens } from './tokens.js';
export { HttpRouteTable, type RouteMatch } from './route-table.js';
export type { HttpMethod, HttpRoute, HttpRouteBase, RouteDocs } from './route.js';
export { HttpExchange, requestIdFrom, TIMEOUT_HEADER } from './http-exchange.js';
export { jsonAnswer, type HttpAnswer } from './http-answer.js';
export { decodeInferRequest, decodeTensorData, encodeInferResponse, encodeInferResponseJson, MAX_ELEMENTS } from './oip-json-codec.js';
export { toPredictions, taskOf, mainOutputOf, type Prediction } from './predictions.js';
export { nativeInferJson } from './infer-json.js';
