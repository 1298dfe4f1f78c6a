// The reference stack's canonical form of each document: jsonld.js (safe mode) + rdf-canonize (RDFC-1.0).
//
// Reads JSON lines on stdin, each {"id": ..., "document": <JSON text>}, and writes one JSON line per
// document: {"id": ..., "nquads": "..."} or {"id": ..., "refused": "<message>"}. Contexts come only from
// the project's bundled files (argv[2]: schemas/data); any other URL is refused, never fetched. The
// document travels as JSON text so that JavaScript's own JSON.parse reads it, numbers included.
import {createInterface} from 'node:readline';
import jsonld from 'jsonld';
import {bundledContextLoader} from './loader.mjs';

const documentLoader = bundledContextLoader(process.argv[2]);

async function canonical(text) {
  const document = JSON.parse(text);
  return jsonld.canonize(document, {
    algorithm: 'RDFC-1.0',
    format: 'application/n-quads',
    documentLoader,
    safe: true
  });
}

function describe(error) {
  const event = error?.details?.event;
  const detail = event ? `${event.code}: ${JSON.stringify(event.details ?? {}).slice(0, 200)}` : '';
  return `${error?.name ?? 'Error'}: ${error?.message ?? error}${detail ? ` (${detail})` : ''}`;
}

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
  if(!line.trim()) {
    continue;
  }
  const {id, document} = JSON.parse(line);
  let answer;
  try {
    answer = {id, nquads: await canonical(document)};
  } catch(error) {
    answer = {id, refused: describe(error)};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
