'use strict';

/** @param {import('warden/api').PluginContext} ctx */
exports.activate = function activate(ctx) {
  ctx.commands.register('runaway.spin', () => {
    let n = 0;
    for (;;) n += 1; // never yields: the heartbeat goes unanswered
  });
  ctx.commands.register('runaway.leak', () => {
    const cache = [];
    // Grows by ~2 MB every few milliseconds until the heap cap or the memory limit stops it.
    setInterval(() => cache.push(new Array(250_000).fill(Math.random())), 5);
    return 'caching…';
  });
};
