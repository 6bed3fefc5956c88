/**
 * The load records the gate's module graph follows for files a plugin starts
 * as threads or Node processes, collected from the recorder rule as the gate
 * runs it (ESLint's Linter, the gate's parser) — the recorder reports no
 * findings, so what it records is what is asserted.
 */
import { Linter } from 'eslint';
import parser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import { captureLoads, LOAD_RECORDER_NAME, loadRecorder, type LoadRecord } from '../../../rules/utils/load-records.js';
import { isStart } from '../../../rules/utils/start-vias.js';

/** The started-file records of `code`, as `via specifier` (or `via prefix…`, or `via ?` when nothing folds). */
function starts(code: string, sourceType: 'commonjs' | 'module' = 'commonjs'): string[] {
  const config: Linter.Config[] = [
    { files: ['**/*.{js,mjs}'], languageOptions: { parser, sourceType }, plugins: { warden: { rules: { [LOAD_RECORDER_NAME]: loadRecorder } } }, rules: { [`warden/${LOAD_RECORDER_NAME}`]: 'error' } },
  ];
  const { result, loads } = captureLoads(() => new Linter({ configType: 'flat' }).verify(code, config, sourceType === 'module' ? 'index.mjs' : 'index.js'));
  const fatal = result.find((message) => message.fatal);
  if (fatal) throw new Error(fatal.message);
  return loads.filter((load: LoadRecord) => isStart(load.via)).map((load) => `${load.via} ${load.specifier ?? (load.prefix === undefined ? '?' : `${load.prefix}…`)}`);
}

describe('files started as threads or Node processes', () => {
  it('records a Worker of a file, plainly, by URL, and with eval: false', () => {
    expect(starts("const { Worker } = require('worker_threads'); const path = require('path'); new Worker(path.join(__dirname, 'lib', 'w.js'));")).toEqual(['worker /__plugin__/lib/w.js']);
    expect(starts("import { Worker } from 'node:worker_threads'; new Worker(new URL('./w.mjs', import.meta.url));", 'module')).toEqual(['worker file:///__plugin__/w.mjs']);
    expect(starts("const { Worker } = require('worker_threads'); new Worker('./w.js', { eval: false });")).toEqual(['worker ./w.js']);
  });

  it('sees through aliases, computed names, Reflect.construct and string building', () => {
    expect(starts("const W = require('node:worker_threads').Worker; const file = './jobs/' + 'task.js'; new W(file);")).toEqual(['worker ./jobs/task.js']);
    expect(starts("const wt = require('worker' + '_threads'); new wt['Wor' + 'ker']('./w.js');")).toEqual(['worker ./w.js']);
    expect(starts("const { Worker } = require('worker_threads'); Reflect.construct(Worker, [`${__dirname}/w.js`]);")).toEqual(['worker /__plugin__/w.js']);
    expect(starts("const { fork: f } = require('child_process'); f.call(null, 'svc/' + 'indexer.js', []);")).toEqual(['fork svc/indexer.js']);
    expect(starts("const cp = require('child_process'); const name = 'krof'.split('').reverse().join(''); cp[name]('./svc/a.js');")).toEqual(['fork ./svc/a.js']);
  });

  it('records the script (and the -r/--import files) a Node binary is run with, however it is named', () => {
    expect(starts("const { spawn } = require('child_process'); spawn(process.execPath, ['./bin/helper.cjs'], { stdio: 'inherit' });")).toEqual(['node ./bin/helper.cjs']);
    expect(starts("const { execFile } = require('child_process'); const bin = process.argv0; execFile(bin, ['--max-old-space-size=512', '--require', './pre.js', './main.js']);")).toEqual(['node ./pre.js', 'node ./main.js']);
    expect(starts("require('child_process').spawnSync(process.argv[0], ['--import=./hook.mjs', '--', './run.js']);")).toEqual(['node ./hook.mjs', 'node ./run.js']);
    expect(starts("const args = ['./job.js', '--fast']; require('child_process').spawn('node', args);")).toEqual(['node ./job.js']);
    expect(starts("require('child_process').exec('node --trace-warnings ./tools/sync.js --all');")).toEqual(['node ./tools/sync.js']);
    expect(starts("require('child_process').fork('./job.js', [], { execArgv: ['-r', './inject.js'] });")).toEqual(['fork ./job.js', 'fork ./inject.js']);
  });

  it('records a cluster worker file and a worker pool file', () => {
    expect(starts("const cluster = require('cluster'); cluster.setupPrimary({ exec: './lib/pool.js' }); cluster.fork();")).toEqual(['cluster ./lib/pool.js']);
    expect(starts("const c = require('node:cluster'); const settings = { exec: __dirname + '/w.js', silent: true }; c.setupMaster(settings);")).toEqual(['cluster /__plugin__/w.js']);
    expect(starts("const Piscina = require('piscina'); new Piscina({ filename: require('path').resolve(__dirname, 'worker.js') });")).toEqual(['worker /__plugin__/worker.js']);
    expect(starts("require('workerpool').pool(__dirname + '/pool-worker.js');")).toEqual(['worker /__plugin__/pool-worker.js']);
    expect(starts("import { execaNode } from 'execa'; await execaNode('./cli/run.js', ['--fast']);", 'module')).toEqual(['fork ./cli/run.js']);
  });

  it('records a shipped file handed to any program, to a Worker class of any package, and to cluster.settings.exec', () => {
    // What the program does with the file the gate cannot know: `env node f`, Node as /proc/self/exe, a shell, an option's value taken for the script.
    expect(starts("const { execFile } = require('child_process'); const path = require('path'); execFile('/proc/self/exe', [path.join(__dirname, 'svc', 'w.js')]);")).toEqual(['node /__plugin__/svc/w.js']);
    expect(starts("require('child_process').execFile('/usr/bin/env', ['node', __dirname + '/svc/w.js']);")).toEqual(['node /__plugin__/svc/w.js']);
    expect(starts("require('child_process').spawn(process.execPath, ['-C', 'development', 'svc/w.js'], { cwd: __dirname });")).toEqual(['node development', 'node svc/w.js']);
    expect(starts("require('child_process').spawn('git', ['./x.js']);")).toEqual(['node ./x.js']);
    // A package.json script run by name.
    expect(starts("const { execFile, exec } = require('child_process'); execFile(process.execPath, ['--run', 'sync']); execFile('npm', ['run', 'build', '--silent']); exec('pnpm run lint');")).toEqual(['script sync', 'script build', 'script lint']);
    expect(starts("require('child_process').execFile('npm', ['run']); require('child_process').execFile('npm', ['install']);")).toEqual([]);
    // A shell reads what it is handed as a shell script.
    expect(starts("const path = require('path'); require('child_process').execFile('/bin/sh', [path.join(__dirname, 'lib', 'x.js')]);")).toEqual(['shell /__plugin__/lib/x.js']);
    expect(starts("require('child_process').fork('./lib/x.js', [], { execPath: '/bin/bash', stdio: 'ignore' });")).toEqual(['fork ./lib/x.js', 'shell ./lib/x.js']);
    expect(starts("require('child_process').exec(`/bin/sh ${__dirname}/tools/run.sh`);")).toEqual(['shell /__plugin__/tools/run.sh']);
    // A shell's script however it is named or reached: a relative word, a command line, `env bash f`, `sh -c '…'`.
    expect(starts("require('child_process').spawn('sh', ['payload.txt']);")).toEqual(['shell payload.txt']);
    expect(starts("require('child_process').exec('cd lib && ' + 'bash -e ./setup');")).toEqual(['shell ./setup']);
    expect(starts("const path = require('path'); require('child_process').execFile('/usr/bin/env', ['FOO=1', 'bash', path.join(__dirname, 'setup.sh')]);")).toEqual(['shell /__plugin__/setup.sh']);
    expect(starts("require('child_process').spawn('nohup', ['/bin/sh', '-c', 'sh ./x.sh; node ./y.js']);")).toEqual(['shell ./x.sh', 'node ./y.js']);
    // npm's own script commands, and yarn/pnpm running a script by its bare name.
    expect(starts("const cp = require('child_process'); cp.spawn('npm', ['start']); cp.execSync('yarn sync --force'); cp.exec('npm t'); cp.execFile('pnpm', ['--silent', 'lint']);")).toEqual(['script start', 'script sync', 'script test', 'script lint']);
    expect(starts("require('child_process').exec(\"sh -c 'npm run build'\");")).toEqual(['script build']);
    expect(starts("const { spawn, Worker } = require('threads'); spawn(new Worker('./svc/w.js'));")).toEqual(['worker ./svc/w.js']);
    expect(starts("import Worker from 'web-worker'; new Worker(new URL('./w.mjs', import.meta.url));", 'module')).toEqual(['worker file:///__plugin__/w.mjs']);
    expect(starts("const cluster = require('cluster'); const path = require('path'); cluster.settings.exec = path.join(__dirname, 'svc', 'w.js'); cluster.fork();")).toEqual(['cluster /__plugin__/svc/w.js']);
  });

  it('records a start it cannot fold as one it cannot name, with the literal start of the path when that folds', () => {
    expect(starts("const { Worker } = require('worker_threads'); module.exports = (file) => new Worker(file);")).toEqual(['worker ?']);
    expect(starts("const { fork } = require('child_process'); module.exports = (job) => fork('./jobs/' + job);")).toEqual(['fork ./jobs/…']);
    expect(starts("const { spawn } = require('child_process'); module.exports = (file) => spawn(process.execPath, ['--no-warnings', file]);")).toEqual(['node ?']);
  });

  it('records nothing for code handed to a Worker, a Node binary run without a file, other programs, or look-alikes', () => {
    expect(starts("const { Worker } = require('worker_threads'); new Worker('postMessage(1)', { eval: true });")).toEqual([]);
    expect(starts("const { execFileSync } = require('child_process'); execFileSync(process.execPath, ['--version']); execFileSync(process.execPath, ['-e', 'console.log(1)']);")).toEqual([]);
    expect(starts("const { spawn } = require('child_process'); spawn('ls', ['-la', 'notes.txt']); spawn('git', ['status', '--short']);")).toEqual([]);
    expect(starts("class Worker { constructor(f) { this.f = f; } } new Worker('./w.js'); const tools = { fork() {} }; tools.fork('./x.js');")).toEqual([]);
    expect(starts("const cluster = require('cluster'); cluster.setupPrimary({ silent: true }); cluster.fork();")).toEqual([]);
    // A shell given inline code or an option's value, and commands that name no script or file.
    expect(starts("const cp = require('child_process'); cp.spawn('bash', ['-o', 'pipefail', '-c', 'git status']); cp.exec('env LANG=C git log'); cp.spawn('npm', ['install', '--save']);")).toEqual([]);
  });
});
