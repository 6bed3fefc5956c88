'use strict';

const fs = require('node:fs/promises');
const path = require('node:path');

/** @param {import('warden/api').PluginContext} ctx */
exports.activate = async function activate(ctx) {
  const inbox = path.join(ctx.dataDir, 'inbox');
  await fs.mkdir(inbox, { recursive: true });

  async function index() {
    const entries = await fs.readdir(inbox, { withFileTypes: true });
    const files = [];
    for (const entry of entries) {
      if (entry.isFile()) files.push({ name: entry.name, bytes: (await fs.stat(path.join(inbox, entry.name))).size });
    }
    return files;
  }

  ctx.subscriptions.push(
    ctx.commands.register('indexer.index', async () => {
      const files = await index();
      const total = files.reduce((sum, f) => sum + f.bytes, 0);
      await ctx.window.showMessage(`Indexed ${files.length} file(s), ${total} bytes, in ${inbox}`);
      return files;
    }),
    ctx.events.on('files.changed', async () => {
      ctx.log.info(`re-indexed: ${(await index()).length} file(s)`);
    }),
  );
};
