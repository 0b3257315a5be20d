// Types for every document in src/ from the service's committed schema: a field that is
// renamed or removed there fails `npm run typecheck` here.
import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  generates: {
    './src/gql/': {
      preset: 'client',
      // src/gql/persisted-documents.json: the manifest of every document, keyed
      // sha256:<hex> as the service's trusted documents expect; each document carries its id
      // (`__meta__.hash`) so a portal can send the id instead of the text.
      presetConfig: {
        persistedDocuments: {
          hashAlgorithm: (operation: string) => `sha256:${createHash('sha256').update(operation).digest('hex')}`,
        },
      },
      config: {
        // Money and dates travel as strings (exact decimals, ISO dates): never a float.
        scalars: { Decimal: 'string', Date: 'string', DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};
export default config;
