// Digital Bazaar's VC stack (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite) signing and
// verifying eddsa-rdfc-2022 credentials, for the interop test against ours.
//
// Reads JSON lines on stdin: {"id", "action": "sign", "credential", "key": {id, controller,
// publicKeyMultibase, secretKeyMultibase}} or {"id", "action": "verify", "credential"}, and writes
// {"id", "signed": ...} or {"id", "verified": true|false, "error": "..."}. The document loader is strict
// and offline: the bundled contexts (argv[2]: schemas/data) and did:key documents made from the key itself.
import {createInterface} from 'node:readline';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {bundledContextLoader} from './loader.mjs';

const contextLoader = bundledContextLoader(process.argv[2]);

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

// did:key (Ed25519): the DID document and its one verification method, from the key in the DID itself.
function didKeyDocument(url) {
  const did = url.split('#')[0];
  const publicKeyMultibase = did.slice('did:key:'.length);
  const method = {
    '@context': MULTIKEY_CONTEXT,
    id: `${did}#${publicKeyMultibase}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase
  };
  if(url.includes('#')) {
    return method;
  }
  const {'@context': _, ...embedded} = method;
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [embedded],
    assertionMethod: [method.id],
    authentication: [method.id]
  };
}

async function documentLoader(url) {
  if(url.startsWith('did:key:z6Mk')) {
    return {contextUrl: null, documentUrl: url, document: didKeyDocument(url)};
  }
  return contextLoader(url);
}

async function sign(credential, key) {
  const keyPair = await Ed25519Multikey.from({'@context': MULTIKEY_CONTEXT, type: 'Multikey', ...key});
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  return vc.issue({credential, suite, documentLoader});
}

async function verify(credential) {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  const errors = (result.results ?? []).flatMap(item => item.error ? [item.error] : []);
  if(result.error) {
    errors.push(result.error);
  }
  return {verified: result.verified, error: errors.map(error => error.message ?? String(error)).join('; ')};
}

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
  if(!line.trim()) {
    continue;
  }
  const {id, action, credential, key} = JSON.parse(line);
  let answer;
  try {
    answer = action === 'sign' ?
      {id, signed: await sign(credential, key)} : {id, ...await verify(credential)};
  } catch(error) {
    answer = {id, error: `${error.name}: ${error.message}`};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
