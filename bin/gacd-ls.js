#!/usr/bin/env node
// The language server for .gacd files: `gacd-ls --stdio`, or `--node-ipc` from the extension.
require('../dist/server.js');
