// Entry of the bundled server (dist/server.js) that the extension starts over stdio.
import { startStdioServer } from './startServer.js';

startStdioServer();
