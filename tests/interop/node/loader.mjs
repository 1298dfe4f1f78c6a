// A strict, offline JSON-LD document loader: the project's bundled contexts (schemas/data), nothing else.
import {readFileSync} from 'node:fs';
import path from 'node:path';

export function bundledContextLoader(dataDir) {
  const index = JSON.parse(readFileSync(path.join(dataDir, 'contexts.json'), 'utf8'));
  const contexts = new Map(Object.entries(index).map(
    ([url, file]) => [url, JSON.parse(readFileSync(path.join(dataDir, file), 'utf8'))]));
  return async function documentLoader(url) {
    if(!contexts.has(url)) {
      throw new Error(`${url} is not a bundled context; it is never fetched`);
    }
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  };
}
