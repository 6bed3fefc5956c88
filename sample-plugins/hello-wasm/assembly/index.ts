// A Warden plugin in AssemblyScript: each contributed command is an exported function (the command id's last part)
// that reads its JSON arguments with input() and answers with output(). It holds no power of its own: what it can
// do is what it imports (storage, a message, the log), each call going through the host's broker and audit log.
import { firstString, input, log, numberField, output, quote, showMessage, storageGet, storageSet } from './warden';

export function greet(): i32 {
  const name = firstString(input(), 'friend');
  const visits = numberField(storageGet('visits'), 'value') + 1;
  storageSet('visits', visits.toString());
  const text = 'Hello from WebAssembly, ' + name + '! (visit ' + visits.toString() + ')';
  showMessage(text);
  log('greeted ' + name);
  output(quote(text));
  return 0;
}

/** Counts the vowels of its argument: pure computation, no host call at all. */
export function vowels(): i32 {
  const text = firstString(input(), '');
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if ('aeiouAEIOU'.includes(text.charAt(i))) count++;
  }
  output(count.toString());
  return 0;
}
