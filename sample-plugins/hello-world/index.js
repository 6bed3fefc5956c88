'use strict';

/** @param {import('warden/api').PluginContext} ctx */
exports.activate = function activate(ctx) {
  ctx.subscriptions.push(
    ctx.commands.register('hello.sayHello', async (name = 'world') => {
      const text = `Hello, ${name}!`;
      await ctx.window.showMessage(text);
      return text;
    }),
  );
};
