// Types for every document in src/ from the service's committed schema: a field that is
// renamed or removed there fails `npm run typecheck` here.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  generates: {
    './src/gql/': {
      preset: 'client',
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
