/**
 * Ed25519 keys for registry roles and publishers, from node:crypto, in the
 * shapes TUF metadata uses: a `Key` with `keyval.public` in hex and a key id
 * that is the sha256 of the key's canonical JSON (TUF spec §4.2), and a
 * signer that produces `Signature`s for `Metadata.sign`.
 *
 * On disk a private key is PKCS#8 PEM (mode 0600) and a public key one line
 * of hex, so a publisher can paste it into a message to the registry.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { canonicalize } from '@tufjs/canonical-json';
import { Key, Signature } from '@tufjs/models';
import { notRegular, readRegularFileSync } from '../../analyzer/fast-fs.js';
import { UsageError } from '../../cli/errors.js';

export interface KeyPair {
  privateKeyPem: string;
  publicKeyHex: string;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKeyHex: rawPublicHex(publicKey) };
}

/** The 32 raw bytes of an Ed25519 public key, as hex (what TUF's `keyval.public` holds). */
function rawPublicHex(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  return Buffer.from(String(x), 'base64url').toString('hex');
}

export function tufKey(publicKeyHex: string): Key {
  const json = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicKeyHex } };
  const keyID = createHash('sha256').update(canonicalize(json)).digest('hex');
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: publicKeyHex } });
}

export interface SigningKey {
  key: Key;
  /** For `Metadata.sign`. */
  signer(data: Buffer): Signature;
}

export function signingKey(privateKeyPem: string): SigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new UsageError('not an Ed25519 private key');
  const key = tufKey(rawPublicHex(createPublicKey(privateKey)));
  return { key, signer: (data) => new Signature({ keyID: key.keyID, sig: sign(null, data, privateKey).toString('hex') }) };
}

export function readSigningKey(file: string): SigningKey {
  let pem: string;
  try {
    pem = readRegularFileSync(file).toString('utf8');
  } catch (error) {
    throw new UsageError(`cannot read private key ${file}${notRegular(error)}`);
  }
  try {
    return signingKey(pem);
  } catch (error) {
    throw new UsageError(`${file} is not an Ed25519 private key in PEM (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/** A public key given as 64 hex characters, or as a file holding them (what `warden registry keygen` writes). */
export function readPublicKey(value: string): Key {
  let text = value.trim();
  try {
    if (existsSync(value)) text = readRegularFileSync(value).toString('utf8').trim();
  } catch (error) {
    throw new UsageError(`cannot read public key ${value}${notRegular(error)}`);
  }
  if (!HEX_KEY.test(text)) throw new UsageError(`${value}: expected an Ed25519 public key (64 hex characters, or a .pub file from warden registry keygen)`);
  return tufKey(text);
}
