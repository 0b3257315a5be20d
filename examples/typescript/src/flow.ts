// The main flow of a kommun's IT department, from TypeScript: graphql-request with documents
// typed by graphql-codegen from the committed schema.graphql (`npm run codegen`).
//
// Örebro (1880) creates a project and invites Karlskoga (1883); Karlskoga's admin accepts;
// Örebro sets the cost key to per capita and reads what each kommun pays; the joint
// committee downloads its report as CSV; a portal reads the catalogue by its document's id,
// on a service that trusts this build's manifest (src/gql/persisted-documents.json) for it.
//
//   SAMVERKAN_TRUSTED_DOCUMENTS=…/persisted-documents.json on the service, then
//   SAMVERKAN_URL=http://127.0.0.1:8080 TOKEN_OREBRO=… TOKEN_KARLSKOGA=… TOKEN_NAMND=… TOKEN_PORTAL=… npm test
import { ClientError, GraphQLClient } from 'graphql-request';
import { graphql } from './gql/index.js';

const url = (process.env.SAMVERKAN_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');

function token(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set (see the top of src/flow.ts)`);
  return value;
}

const client = (name: string) =>
  new GraphQLClient(`${url}/graphql`, { headers: { Authorization: `Bearer ${token(name)}` } });

const Create = graphql(`
  mutation Create($input: CreateEServiceProjectInput!) {
    createEServiceProject(input: $input) { project { id title version } }
  }
`);

const Invite = graphql(`
  mutation Invite($projectId: ID!, $kommun: String!) {
    inviteMunicipality(input: { projectId: $projectId, municipalityCode: $kommun }) {
      participation { id state municipality { name } }
    }
  }
`);

const MyInvitation = graphql(`
  query MyInvitation($id: ID!) {
    viewer { municipality { code } }
    node(id: $id) {
      ... on EServiceProject { title participations { id state municipality { code } } }
    }
  }
`);

const Answer = graphql(`
  mutation Answer($participationId: ID!) {
    respondToInvitation(input: { participationId: $participationId, accept: true }) {
      participation { state }
    }
  }
`);

// What a municipal portal reads, by id: the service runs only its build's documents for its
// integration token (trusted documents, the manifest codegen writes).
const Catalogue = graphql(`
  query Catalogue { publishedEServices(first: 10) { totalCount nodes { name municipality { name } } } }
`);

const Version = graphql(`
  query Version($id: ID!) { node(id: $id) { ... on EServiceProject { version } } }
`);

const SetKey = graphql(`
  mutation SetKey($projectId: ID!, $version: Int!) {
    setCostSharing(input: { projectId: $projectId, version: $version, key: PER_CAPITA }) {
      project { version }
    }
  }
`);

const Shares = graphql(`
  query Shares($id: ID!) {
    node(id: $id) {
      ... on EServiceProject {
        budget
        costSharing { key }
        costShares { municipality { name population } percent amount }
      }
    }
  }
`);

function check(ok: boolean, what: string, detail: unknown): asserts ok {
  if (!ok) throw new Error(`${what}: ${JSON.stringify(detail)}`);
}

// Exact sum of decimal strings in öre (amounts carry at most two decimals).
const ore = (s: string) => {
  const [kr, frac = ''] = s.split('.');
  return BigInt(kr) * 100n + BigInt((frac + '00').slice(0, 2)) * (s.startsWith('-') ? -1n : 1n);
};

async function main() {
  const orebro = client('TOKEN_OREBRO');
  const karlskoga = client('TOKEN_KARLSKOGA');

  const { createEServiceProject: { project } } = await orebro.request(Create, {
    input: {
      title: 'Digital bygglovsansökan (exempel från TypeScript)',
      summary: 'Skapad av examples/typescript/src/flow.ts',
      budget: '600000',
      visibility: 'PARTICIPANTS',
    },
  });
  console.log(`created  ${project.title} (${project.id})`);

  const invited = await orebro.request(Invite, { projectId: project.id, kommun: '1883' });
  const p = invited.inviteMunicipality.participation;
  console.log(`invited  ${p.municipality.name}: ${p.state}`);

  const seen = await karlskoga.request(MyInvitation, { id: project.id });
  const me = seen.viewer?.municipality.code;
  check('participations' in seen.node, 'the project is visible to the invited kommun', seen);
  const mine = seen.node.participations.filter((x) => x.municipality.code === me);
  check(mine.length === 1 && mine[0].state === 'INVITED', 'one invitation', seen);
  const answered = await karlskoga.request(Answer, { participationId: mine[0].id });
  check(answered.respondToInvitation.participation.state === 'ACCEPTED', 'accepted', answered);
  console.log(`accepted as ${me}`);

  const v = await orebro.request(Version, { id: project.id });
  const version = 'version' in v.node ? v.node.version : -1;
  await orebro.request(SetKey, { projectId: project.id, version });
  try {
    await orebro.request(SetKey, { projectId: project.id, version });
    throw new Error('a stale version was accepted');
  } catch (e) {
    check(e instanceof ClientError && e.response.errors?.[0]?.extensions?.code === 'CONFLICT', 'CONFLICT', String(e));
  }

  const s = await orebro.request(Shares, { id: project.id });
  check('costShares' in s.node, 'cost shares', s);
  if (!('costShares' in s.node)) return;
  console.log(`cost key ${s.node.costSharing.key}, budget ${s.node.budget}:`);
  for (const share of s.node.costShares) {
    const m = share.municipality;
    console.log(`  ${m.name.padEnd(12)} ${String(m.population).padStart(7)}  ${share.percent.padStart(8)} %  ${share.amount.padStart(12)} kr`);
  }
  const total = s.node.costShares.reduce((sum, x) => sum + ore(x.amount), 0n);
  check(s.node.costShares.length === 2 && total === ore(s.node.budget), 'shares sum to the budget', s);

  const year = new Date().getFullYear();
  const csv = await fetch(`${url}/reports/18/committee.csv?from=${year}-01-01&to=${year}-12-31`, {
    headers: { Authorization: `Bearer ${token('TOKEN_NAMND')}` },
  });
  check(csv.ok && (csv.headers.get('content-type') ?? '').startsWith('text/csv'), 'committee.csv', csv.status);
  const body = await csv.text();
  console.log(`committee.csv: ${body.length} characters, ${body.split('\n').length - 1} lines`);

  // The portal: its document by id runs; any other text is refused for its token.
  const portal = (body: object) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: `Bearer ${token('TOKEN_PORTAL')}` },
      body: JSON.stringify(body),
    });
  const documentId = (Catalogue as unknown as { __meta__?: { hash?: string } }).__meta__?.hash;
  check(documentId?.startsWith('sha256:') === true, 'the document carries its id', documentId);
  const byId = await portal({ documentId });
  const listed = await byId.json();
  check(byId.ok && typeof listed.data?.publishedEServices?.totalCount === 'number', 'the catalogue by id', listed);
  console.log(`portal: ${listed.data.publishedEServices.totalCount} published e-services, by ${documentId?.slice(0, 19)}…`);
  const other = await portal({ query: '{ counties { code } }' });
  const refused = await other.json();
  check(other.status === 403 && refused.errors?.[0]?.extensions?.code === 'FORBIDDEN', 'an unlisted text is refused', refused);
  console.log('ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
