/**
 * The `gacd-ls` entry point: the language server for `.gacd` experiment files. The transport comes
 * from the command line, as `vscode-languageserver` reads it: `--stdio` (for `npx gacd-ls --stdio`
 * and any editor), `--node-ipc` (the VS Code extension), or `--socket=PORT`.
 *
 * It loads the experiment schema, the checks and the tfjs-free catalogs, never TensorFlow.js.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './connection';

startServer(createConnection(ProposedFeatures.all));
