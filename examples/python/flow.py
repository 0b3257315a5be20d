"""The main flow of a kommun's IT department, from Python with gql.

Örebro (1880) creates a project and invites Karlskoga (1883); Karlskoga's admin accepts;
Örebro sets the cost key to per capita and reads what each kommun pays; the joint committee
downloads its report as CSV. Every document is checked against the committed schema.graphql
before it is sent.

    SAMVERKAN_URL=http://127.0.0.1:8080 \\
    TOKEN_OREBRO=$(cargo run -q -p samverkan -- token --kommun 1880 --roles editor,admin) \\
    TOKEN_KARLSKOGA=$(cargo run -q -p samverkan -- token --kommun 1883 --roles admin) \\
    TOKEN_NAMND=$(cargo run -q -p samverkan -- token --kommun 1880 --roles namnd) \\
    python flow.py
"""

import datetime
import decimal
import os
import pathlib
import sys

import requests
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

URL = os.environ.get("SAMVERKAN_URL", "http://127.0.0.1:8080").rstrip("/")
SCHEMA = (pathlib.Path(__file__).resolve().parents[2] / "schema.graphql").read_text()

CREATE = gql("""
mutation Create($input: CreateEServiceProjectInput!) {
  createEServiceProject(input: $input) { project { id title version } }
}""")

INVITE = gql("""
mutation Invite($projectId: ID!, $kommun: String!) {
  inviteMunicipality(input: {projectId: $projectId, municipalityCode: $kommun}) {
    participation { id state municipality { name } }
  }
}""")

MY_INVITATION = gql("""
query MyInvitation($id: ID!) {
  viewer { municipality { code } }
  node(id: $id) {
    ... on EServiceProject { title participations { id state municipality { code } } }
  }
}""")

ANSWER = gql("""
mutation Answer($participationId: ID!) {
  respondToInvitation(input: {participationId: $participationId, accept: true}) {
    participation { state }
  }
}""")

SET_KEY = gql("""
mutation CostKey($projectId: ID!, $version: Int!) {
  setCostSharing(input: {projectId: $projectId, version: $version, key: PER_CAPITA}) {
    project { version }
  }
}""")

SHARES = gql("""
query Shares($id: ID!) {
  node(id: $id) {
    ... on EServiceProject {
      budget
      costSharing { key }
      costShares { municipality { name population } percent amount }
    }
  }
}""")


def client(token: str) -> Client:
    transport = RequestsHTTPTransport(
        url=f"{URL}/graphql", headers={"Authorization": f"Bearer {token}"}, retries=0, timeout=30
    )
    return Client(transport=transport, schema=SCHEMA)


def token(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set (see the top of {__file__})")
    return value.strip()


def main() -> None:
    orebro = client(token("TOKEN_OREBRO"))
    karlskoga = client(token("TOKEN_KARLSKOGA"))

    project = orebro.execute(CREATE, variable_values={"input": {
        "title": "Digital bygglovsansökan (exempel från Python)",
        "summary": "Skapad av examples/python/flow.py",
        "budget": "600000",
        "visibility": "PARTICIPANTS",
    }})["createEServiceProject"]["project"]
    print(f"created  {project['title']} ({project['id']})")

    invited = orebro.execute(INVITE, variable_values={"projectId": project["id"], "kommun": "1883"})
    participation = invited["inviteMunicipality"]["participation"]
    print(f"invited  {participation['municipality']['name']}: {participation['state']}")

    seen = karlskoga.execute(MY_INVITATION, variable_values={"id": project["id"]})
    me = seen["viewer"]["municipality"]["code"]
    mine = [p for p in seen["node"]["participations"] if p["municipality"]["code"] == me]
    assert len(mine) == 1 and mine[0]["state"] == "INVITED", seen
    answered = karlskoga.execute(ANSWER, variable_values={"participationId": mine[0]["id"]})
    assert answered["respondToInvitation"]["participation"]["state"] == "ACCEPTED", answered
    print(f"accepted as {me}")

    # The project's version changed with the acceptance: read it, then set the key.
    version = orebro.execute(
        gql("query V($id: ID!) { node(id: $id) { ... on EServiceProject { version } } }"),
        variable_values={"id": project["id"]},
    )["node"]["version"]
    orebro.execute(SET_KEY, variable_values={"projectId": project["id"], "version": version})

    # Stale versions are refused, never silently overwritten.
    try:
        orebro.execute(SET_KEY, variable_values={"projectId": project["id"], "version": version})
        raise AssertionError("a stale version was accepted")
    except TransportQueryError as e:
        assert e.errors[0]["extensions"]["code"] == "CONFLICT", e.errors

    shares = orebro.execute(SHARES, variable_values={"id": project["id"]})["node"]
    # Money is a Decimal string on the wire; read it as decimal.Decimal, never as a float.
    budget = decimal.Decimal(shares["budget"])
    amounts = [decimal.Decimal(s["amount"]) for s in shares["costShares"]]
    print(f"cost key {shares['costSharing']['key']}, budget {budget}:")
    for s in shares["costShares"]:
        m = s["municipality"]
        print(f"  {m['name']:<12} {m['population']:>7}  {s['percent']:>8} %  {s['amount']:>12} kr")
    assert len(amounts) == 2 and sum(amounts) == budget, shares

    year = datetime.date.today().year
    csv = requests.get(
        f"{URL}/reports/18/committee.csv",
        params={"from": f"{year}-01-01", "to": f"{year}-12-31"},
        headers={"Authorization": f"Bearer {token('TOKEN_NAMND')}"},
        timeout=30,
    )
    csv.raise_for_status()
    assert csv.headers["content-type"].startswith("text/csv"), csv.headers
    text = csv.content.decode("utf-8-sig")
    print(f"committee.csv: {len(csv.content)} bytes, {len(text.splitlines())} lines")
    print("ok")


if __name__ == "__main__":
    main()
