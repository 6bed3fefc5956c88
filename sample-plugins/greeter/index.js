// Asks the app who the user is; the host passes on only what the app chose to share.
const GREETINGS = { en: 'Hello', fr: 'Bonjour', de: 'Hallo', es: 'Hola' };

exports.activate = (ctx) => {
  ctx.commands.register('greeter.greet', async () => {
    const { displayName, locale } = await ctx.user.profile();
    const greeting = GREETINGS[String(locale ?? 'en').slice(0, 2)] ?? GREETINGS.en;
    const text = `${greeting}, ${displayName ?? 'friend'}!`;
    await ctx.window.showMessage(text);
    return text;
  });
};
