// What the LSP suite needs to know of the server's protocol, imported from the server's own sources.
export { DEFAULT_FALLBACK_SAMPLES, METRICS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION, type DocumentStats, type ServerMetrics, type SpliceSettings, type SpliceStatus } from '../../language-server/src/protocol.js';
export { shapeCompletion, stopsFor } from '../../language-server/src/completion/pipeline.js';
export { placeOf } from '../../language-server/src/completion/place/placeOf.js';
export { loadParser } from '../../language-server/src/completion/syntax/grammars.js';
export { STOP_SEQUENCES as STOP_SEQUENCES_FOR_TESTS } from '../../language-server/src/SpliceServer.js';
