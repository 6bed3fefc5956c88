/** @param {import('warden/api').PluginContext} ctx */
export function activate(ctx) {
  const author = process.env.USER ?? 'someone';

  async function list() {
    return (await ctx.storage.get('notes')) ?? [];
  }

  ctx.subscriptions.push(
    ctx.commands.register('notes.add', async (text) => {
      if (typeof text !== 'string' || text.trim() === '') throw new Error('notes.add needs the text of the note');
      const notes = [...(await list()), { text, author, at: new Date().toISOString() }];
      await ctx.storage.set('notes', notes);
      await ctx.window.showMessage(`Saved note #${notes.length} by ${author}`);
      return notes.length;
    }),
    ctx.commands.register('notes.list', async () => {
      const notes = await list();
      await ctx.window.showMessage(notes.length === 0 ? 'No notes yet' : notes.map((n, i) => `${i + 1}. ${n.text} (${n.author})`).join('\n'));
      return notes;
    }),
  );
}
