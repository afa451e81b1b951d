// What the LSP suite needs to know of the server's protocol, imported from the server's own sources.
export { STATS_REQUEST, STATUS_NOTIFICATION, type DocumentStats, type SpliceSettings, type SpliceStatus } from '../../language-server/src/protocol.js';
export { STOP_SEQUENCES as STOP_SEQUENCES_FOR_TESTS } from '../../language-server/src/SpliceServer.js';
