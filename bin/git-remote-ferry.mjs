#!/usr/bin/env node
// git-remote-ferry: git runs it for remotes whose URL is ferry::<device-id>/<uuid> (a paired
// Ferry device), when it is on PATH (npm puts it beside `ferry`). It is `ferry remote-helper`.
process.argv.splice(2, 0, 'remote-helper');
await import('./ferry.mjs');
