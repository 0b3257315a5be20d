//! What a document will cost, counted as it will run, before anything runs.
//!
//! async-graphql's own complexity counts a plain list field (`participations`, `decisions`)
//! once, whatever it holds, and its depth and alias checks see a fragment once however often
//! it is spread. This walk expands fragments as execution does, multiplies every list by the
//! rows it may hold (`first`/`last`, the 20 of an unbounded connection page, or the declared
//! bound of a plain list) along the nesting, and counts every alias as executed. A document
//! over either bound is refused before any resolver runs.
//!
//! It runs in the HTTP layer on the document the request has already parsed, not as a schema
//! extension: any extension sends every field of every response through async-graphql's
//! per-field extension chain.
use std::collections::HashMap;

use async_graphql::{
    ServerError, Variables,
    parser::types::{
        BaseType, DocumentOperations, ExecutableDocument, Selection, SelectionSet, ServiceDocument,
        TypeDefinition, TypeKind,
    },
};

/// Rows a connection page holds when the client names no `first`/`last`.
const DEFAULT_PAGE: u64 = 20;
/// Rows assumed for a plain list field that declares no bound of its own.
const DEFAULT_LIST: u64 = 20;
/// Fragments nested deeper than this cannot be legitimate (validation refuses cycles later).
const MAX_SPREAD_DEPTH: usize = 32;

/// Plain list fields whose size is known to differ from [`DEFAULT_LIST`]: reference data and
/// county-wide lists. Lists of kommuner within one county hold at most about 50.
fn declared_bound(ty: &str, field: &str) -> Option<u64> {
    Some(match (ty, field) {
        ("Query", "municipalities" | "counties") => 300,
        ("Query", "productUsage" | "expiringContracts" | "sensitiveThirdCountrySystems") => 200,
        ("SystemMap", "systems" | "integrations") => 200,
        ("AuditReadiness", "answers") => 9,
        ("AuditReadiness", "trend") => 8,
        ("AuditQuarter", "statuses") => 9,
        ("KeyPersonRiskReport", "systemsAtRisk" | "keyPersons") => 200,
        ("Query", "keyPersonRiskByMunicipality") | ("CommitteeReport", "keyPersonRisk") => 50,
        ("ProductCostComparison", "kommuner") => 50,
        ("Query", "systemCostTotals") => 50,
        ("Query", "retentionPeriods") => 10,
        ("CommitteeReport", "projectCosts" | "benefits" | "tollgatesDue") => {
            super::report::REPORT_ROWS as u64
        }
        ("CommitteeReport", "decisions") => crate::service::report::DECISION_ROWS as u64,
        (_, "municipalities") => 50,
        _ => return None,
    })
}

#[derive(Debug)]
struct FieldInfo {
    ty: String,
    list: bool,
}

/// The field types of the schema, read once from its SDL.
#[derive(Debug, Default)]
pub struct CostModel {
    types: HashMap<String, HashMap<String, FieldInfo>>,
}

/// What a document was found to cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Fields that will be resolved, lists multiplied out.
    pub fields: u64,
    /// Aliased fields, fragments expanded.
    pub aliases: u64,
}

fn too_complex(message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "QUERY_TOO_COMPLEX");
    e.extensions = Some(ext);
    e
}

impl CostModel {
    /// Reads the object and interface types of `sdl`.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types = HashMap::new();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return Self::default();
        };
        let ServiceDocument { definitions } = doc;
        for def in definitions {
            let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let TypeDefinition { name, kind, .. } = t.node;
            let fields = match kind {
                TypeKind::Object(o) => o.fields,
                TypeKind::Interface(i) => i.fields,
                _ => continue,
            };
            let map = fields
                .into_iter()
                .map(|f| {
                    let ty = &f.node.ty.node;
                    let (named, list) = match &ty.base {
                        BaseType::Named(n) => (n.to_string(), false),
                        BaseType::List(inner) => (innermost(&inner.base), true),
                    };
                    (f.node.name.node.to_string(), FieldInfo { ty: named, list })
                })
                .collect();
            types.insert(name.node.to_string(), map);
        }
        Self { types }
    }

    /// Counts what `doc` will cost and refuses it when over `max_fields` or `max_aliases`, or
    /// nested deeper than `max_depth` (as async-graphql counts depth; checked here too so that
    /// such a document is refused before the request reads anything).
    pub fn check(
        &self,
        doc: &ExecutableDocument,
        operation: Option<&str>,
        variables: &Variables,
        max_fields: u64,
        max_aliases: u64,
        max_depth: usize,
    ) -> Result<Cost, ServerError> {
        let mut walk = Walk {
            model: self,
            doc,
            variables,
            cost: Cost::default(),
            max_fields,
            spreads: 0,
            depth: 0,
            max_depth,
        };
        for op in selected(doc, operation) {
            let root = match op.node.ty {
                async_graphql::parser::types::OperationType::Query => "Query",
                async_graphql::parser::types::OperationType::Mutation => "Mutation",
                async_graphql::parser::types::OperationType::Subscription => "Subscription",
            };
            walk.set(&op.node.selection_set.node, root, 1)?;
        }
        let cost = walk.cost;
        if cost.aliases > max_aliases {
            return Err(too_complex(format!(
                "Query has {} aliases as executed, more than the limit of {max_aliases}",
                cost.aliases
            )));
        }
        Ok(cost)
    }
}

fn innermost(t: &BaseType) -> String {
    match t {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => innermost(&inner.base),
    }
}

struct Walk<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
    cost: Cost,
    max_fields: u64,
    spreads: usize,
    /// Fields enclosing the selection being walked.
    depth: usize,
    max_depth: usize,
}

impl Walk<'_> {
    /// Refuses a field one level below the current depth when that is too deep.
    fn enter(&self) -> Result<(), ServerError> {
        if self.depth >= self.max_depth {
            return Err(too_complex("Query is nested too deep.".into()));
        }
        Ok(())
    }

    fn number(&self, v: &async_graphql::Value) -> Option<u64> {
        match v {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The rows one list field may hold, from its arguments or its declared bound.
    fn rows(&self, ty: &str, f: &async_graphql::parser::types::Field, info: Option<&FieldInfo>) -> u64 {
        let arg = |name: &str| {
            f.get_argument(name).and_then(|v| {
                v.node
                    .clone()
                    .into_const_with(|var| self.variables.get(&var).cloned().ok_or(()))
                    .ok()
            })
        };
        if let Some(async_graphql::Value::List(ids)) = arg("ids") {
            return ids.len() as u64;
        }
        let paged = arg("first").or_else(|| arg("last"));
        if let Some(n) = paged.as_ref().and_then(|v| self.number(v)) {
            return n.max(1);
        }
        match info {
            Some(i) if i.ty.ends_with("Connection") => DEFAULT_PAGE,
            Some(i) if i.list => declared_bound(ty, &f.name.node).unwrap_or(DEFAULT_LIST),
            _ => 1,
        }
    }

    fn set(&mut self, set: &SelectionSet, ty: &str, mult: u64) -> Result<(), ServerError> {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    self.enter()?;
                    self.cost.fields = self.cost.fields.saturating_add(mult);
                    if f.alias.is_some() {
                        self.cost.aliases += 1;
                    }
                    if self.cost.fields > self.max_fields {
                        return Err(too_complex(format!(
                            "Query would resolve more than {} fields (lists multiplied out); ask for smaller pages or fewer nested lists",
                            self.max_fields
                        )));
                    }
                    let name = f.name.node.as_str();
                    if name.starts_with("__") {
                        // Introspection has its own rule (`introspection`).
                        continue;
                    }
                    if f.selection_set.node.items.is_empty() {
                        continue;
                    }
                    let info = self.model.types.get(ty).and_then(|t| t.get(name));
                    let child_ty = info.map(|i| i.ty.clone()).unwrap_or_default();
                    let rows = self.rows(ty, f, info);
                    self.depth += 1;
                    if info.is_some_and(|i| i.ty.ends_with("Connection")) {
                        // In a connection only `edges`/`nodes` hold the page's rows.
                        self.connection(&f.selection_set.node, &child_ty, mult, rows)?;
                    } else {
                        self.set(&f.selection_set.node, &child_ty, mult.saturating_mul(rows))?;
                    }
                    self.depth -= 1;
                }
                Selection::InlineFragment(i) => {
                    let i = &i.node;
                    let ty = i
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| ty.to_owned());
                    self.set(&i.selection_set.node, &ty, mult)?;
                }
                Selection::FragmentSpread(s) => {
                    let name = &s.node.fragment_name.node;
                    let Some(frag) = self.doc.fragments.get(name) else {
                        continue;
                    };
                    self.spreads += 1;
                    if self.spreads > MAX_SPREAD_DEPTH {
                        return Err(too_complex("Fragments are nested too deep".into()));
                    }
                    let ty = frag.node.type_condition.node.on.node.to_string();
                    self.set(&frag.node.selection_set.node, &ty, mult)?;
                    self.spreads -= 1;
                }
            }
        }
        Ok(())
    }

    /// A connection: `edges` and `nodes` hold `rows` rows; its other fields are counted once.
    fn connection(&mut self, set: &SelectionSet, ty: &str, mult: u64, rows: u64) -> Result<(), ServerError> {
        let inner = mult.saturating_mul(rows);
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) if matches!(f.node.name.node.as_str(), "edges" | "nodes") => {
                    let f = &f.node;
                    self.enter()?;
                    self.cost.fields = self.cost.fields.saturating_add(mult);
                    if f.alias.is_some() {
                        self.cost.aliases += 1;
                    }
                    let child_ty = self
                        .model
                        .types
                        .get(ty)
                        .and_then(|t| t.get(f.name.node.as_str()))
                        .map(|i| i.ty.clone())
                        .unwrap_or_default();
                    self.depth += 1;
                    self.set(&f.selection_set.node, &child_ty, inner)?;
                    self.depth -= 1;
                }
                _ => {
                    let one = SelectionSet {
                        items: vec![sel.clone()],
                    };
                    self.set(&one, ty, mult)?;
                }
            }
        }
        Ok(())
    }
}

/// The root fields whose answers change only through mutations of projects: see
/// [`CostModel::reads_projects_only`].
const PROJECT_ROOTS: [&str; 1] = ["eServiceProjects"];

/// The types whose data only project mutations change (a project, its children, the list's
/// connection types) or nothing changes (the reference data of kommuner and counties). A type
/// added to the schema is not here, so an answer that reaches it follows every change.
const PROJECT_TYPES: [&str; 13] = [
    "EServiceProjectConnection",
    "EServiceProjectEdge",
    "PageInfo",
    "EServiceProject",
    "Participation",
    "CostSharing",
    "CostShare",
    "Decision",
    "StatusReport",
    "Benefit",
    "BenefitFollowUp",
    "Municipality",
    "County",
];

impl CostModel {
    /// Whether the operation `doc` runs reads only the project list and what hangs off its
    /// projects (with reference data): such an answer changes only when a project in one of
    /// its caller's count parts changes, so the response cache may keep it until one of those
    /// parts moves instead of until any change (`http::cache`).
    pub fn reads_projects_only(&self, doc: &ExecutableDocument, operation: Option<&str>) -> bool {
        let ops = selected(doc, operation);
        ops.len() == 1
            && ops.iter().all(|op| {
                op.node.ty == async_graphql::parser::types::OperationType::Query
                    && self.only_projects(doc, &op.node.selection_set.node, "Query", 0)
            })
    }

    fn only_projects(&self, doc: &ExecutableDocument, set: &SelectionSet, ty: &str, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        set.items.iter().all(|sel| match &sel.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                if name == "__typename" {
                    return true;
                }
                if ty == "Query" && !PROJECT_ROOTS.contains(&name) {
                    return false;
                }
                let Some(info) = self.types.get(ty).and_then(|t| t.get(name)) else {
                    return false;
                };
                if !self.types.contains_key(&info.ty) {
                    // A scalar or an enum: nothing further is read.
                    return true;
                }
                PROJECT_TYPES.contains(&info.ty.as_str())
                    && self.only_projects(doc, &f.node.selection_set.node, &info.ty, depth + 1)
            }
            Selection::InlineFragment(i) => {
                let on = i
                    .node
                    .type_condition
                    .as_ref()
                    .map_or(ty, |c| c.node.on.node.as_str());
                on == ty && self.only_projects(doc, &i.node.selection_set.node, ty, depth + 1)
            }
            Selection::FragmentSpread(s) => {
                doc.fragments.get(&s.node.fragment_name.node).is_some_and(|frag| {
                    frag.node.type_condition.node.on.node.as_str() == ty
                        && self.only_projects(doc, &frag.node.selection_set.node, ty, depth + 1)
                })
            }
        })
    }
}

/// The operations of `doc` that `operation` selects (all of them when it names none).
fn selected<'a>(
    doc: &'a ExecutableDocument,
    operation: Option<&str>,
) -> Vec<&'a async_graphql::Positioned<async_graphql::parser::types::OperationDefinition>> {
    match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => vec![op],
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).into_iter().collect(),
        (DocumentOperations::Multiple(ops), None) => ops.values().collect(),
    }
}

/// The root fields of a selection set, fragments expanded.
fn root_fields<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, out: &mut Vec<&'a str>, depth: usize) {
    if depth > MAX_SPREAD_DEPTH {
        return;
    }
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => out.push(f.node.name.node.as_str()),
            Selection::InlineFragment(i) => root_fields(doc, &i.node.selection_set.node, out, depth + 1),
            Selection::FragmentSpread(s) => {
                if let Some(f) = doc.fragments.get(&s.node.fragment_name.node) {
                    root_fields(doc, &f.node.selection_set.node, out, depth + 1);
                }
            }
        }
    }
}

/// Whether the operation asks for introspection only (`__schema`, `__type`, `__typename`):
/// such documents are bounded by [`check_introspection`] rather than by the depth limit of
/// data queries, which the standard introspection query of GraphQL tools exceeds.
pub fn introspection_only(doc: &ExecutableDocument, operation: Option<&str>) -> bool {
    let ops = selected(doc, operation);
    let mut fields = Vec::new();
    for op in &ops {
        if op.node.ty != async_graphql::parser::types::OperationType::Query {
            return false;
        }
        root_fields(doc, &op.node.selection_set.node, &mut fields, 0);
    }
    !ops.is_empty() && !fields.is_empty() && fields.iter().all(|f| f.starts_with("__"))
}

/// Whether the operation asks only for the caller's budget (`rateLimit`) and `__typename`:
/// reading the budget spends none of it.
pub fn free_of_charge(doc: &ExecutableDocument, operation: Option<&str>) -> bool {
    let ops = selected(doc, operation);
    let mut fields = Vec::new();
    for op in &ops {
        if op.node.ty != async_graphql::parser::types::OperationType::Query {
            return false;
        }
        root_fields(doc, &op.node.selection_set.node, &mut fields, 0);
    }
    !ops.is_empty()
        && fields.contains(&"rateLimit")
        && fields.iter().all(|f| *f == "rateLimit" || *f == "__typename")
}

/// Fields of `__Type` that list further members or types.
const EXPANDING: [&str; 5] = [
    "fields",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
];
/// Fields that lead from a type to other types or members.
const LEADING: [&str; 8] = [
    "fields",
    "inputFields",
    "args",
    "interfaces",
    "possibleTypes",
    "type",
    "ofType",
    "enumValues",
];
/// `ofType` links a tool may follow: graphql-js asks for 7 or 8 (`[[T!]!]!` and so on).
const MAX_OF_TYPE: usize = 10;

/// The rule for introspection: a type listed by `__schema { types }` or named by `__type` may
/// be expanded into its members, but a type reached through a member (a field's type, an
/// argument's, an interface, `ofType`…) may only be named. The standard introspection query
/// of graphql-js, GraphiQL, Apollo and gql passes; the circular
/// `types { fields { type { fields { type { fields … } } } } }` is refused.
/// Aliases count here as in data queries (as executed, fragments expanded): each aliased
/// `__schema { types … }` is another copy of the whole schema.
pub fn check_introspection(
    doc: &ExecutableDocument,
    operation: Option<&str>,
    max_aliases: u64,
) -> Result<(), ServerError> {
    struct Walk<'a> {
        doc: &'a ExecutableDocument,
        aliases: u64,
        max_aliases: u64,
    }
    impl Walk<'_> {
        fn walk(
            &mut self,
            set: &SelectionSet,
            may_expand: bool,
            of_type: usize,
            spreads: usize,
        ) -> Result<(), ServerError> {
            let doc = self.doc;
            if spreads > MAX_SPREAD_DEPTH {
                return Err(too_complex("Fragments are nested too deep".into()));
            }
            for sel in &set.items {
                match &sel.node {
                    Selection::Field(f) => {
                        if f.node.alias.is_some() {
                            self.aliases += 1;
                            if self.aliases > self.max_aliases {
                                return Err(too_complex(format!(
                                    "Query has more than {} aliases as executed",
                                    self.max_aliases
                                )));
                            }
                        }
                        let name = f.node.name.node.as_str();
                        if !may_expand && EXPANDING.contains(&name) {
                            return Err(too_complex(format!(
                                "Introspection may list the members of a type from __schema.types or __type, not `{name}` of a type reached through another"
                            )));
                        }
                        let of_type = if name == "ofType" { of_type + 1 } else { 0 };
                        if of_type > MAX_OF_TYPE {
                            return Err(too_complex(format!(
                                "Introspection follows ofType at most {MAX_OF_TYPE} times"
                            )));
                        }
                        let expand = match name {
                            "__schema" | "__type" | "types" => true,
                            n if LEADING.contains(&n) => false,
                            _ => may_expand,
                        };
                        self.walk(&f.node.selection_set.node, expand, of_type, spreads)?;
                    }
                    Selection::InlineFragment(i) => {
                        self.walk(&i.node.selection_set.node, may_expand, of_type, spreads + 1)?
                    }
                    Selection::FragmentSpread(s) => {
                        if let Some(f) = doc.fragments.get(&s.node.fragment_name.node) {
                            self.walk(&f.node.selection_set.node, may_expand, of_type, spreads + 1)?;
                        }
                    }
                }
            }
            Ok(())
        }
    }

    let mut w = Walk {
        doc,
        aliases: 0,
        max_aliases,
    };
    for op in selected(doc, operation) {
        w.walk(&op.node.selection_set.node, true, 0, 0)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(q: &str) -> Result<Cost, ServerError> {
        let model = CostModel::from_sdl(&crate::graphql::sdl());
        let doc = async_graphql::parser::parse_query(q).unwrap();
        model.check(&doc, None, &Variables::default(), 1_000_000, 1_000, 64)
    }

    /// The depth is refused here exactly where async-graphql's validation refuses it.
    #[tokio::test]
    async fn depth_is_counted_as_async_graphql_counts_it() {
        let model = CostModel::from_sdl(&crate::graphql::sdl());
        let docs = [
            "{ viewer { sub } }",
            "{ __typename viewer { municipality { county { name } } } }",
            "{ eServiceProjects(first: 2) { totalCount edges { node { id owner { name } participations { municipality { county { name } } } } } } }",
            "query { ...Q } fragment Q on Query { viewer { municipality { ...M } } } fragment M on Municipality { county { municipalities { name } } }",
            "{ eServiceProjects(first: 2) { nodes { ... on EServiceProject { owner { county { code } } } } } }",
        ];
        // A real (empty, in-memory) database, so that a document validation admits runs.
        let db = crate::startup::in_memory_database().await;
        let reference = crate::service::Reference::load(&db).await.unwrap();
        let services = crate::service::Services::new(db, std::sync::Arc::new(reference));
        for limit in 1..9 {
            let limits = crate::settings::Limits {
                max_depth: limit,
                ..Default::default()
            };
            let schema = crate::graphql::build_schema(Some(services.clone()), &limits, true);
            for q in docs {
                let doc = async_graphql::parser::parse_query(q).unwrap();
                let ours = model
                    .check(&doc, None, &Variables::default(), u64::MAX, u64::MAX, limit)
                    .is_err();
                let caller = crate::auth::Caller::Anonymous;
                let request = async_graphql::Request::new(q)
                    .data(services.loaders(&caller))
                    .data(crate::graphql::RequestContext {
                        caller,
                        request_id: "test".into(),
                        inexact_count: Default::default(),
                    });
                let theirs = schema
                    .execute(request)
                    .await
                    .errors
                    .iter()
                    .any(|e| e.message.contains("nested too deep"));
                assert_eq!(ours, theirs, "depth limit {limit}: {q}");
            }
        }
    }

    #[test]
    fn plain_lists_multiply_along_the_nesting() {
        let flat = cost("{ eServiceProjects(first: 100) { edges { node { id } } } }").unwrap();
        let nested = cost(
            "{ eServiceProjects(first: 100) { edges { node { participations { project { participations { project { id } } } } } } } }",
        )
        .unwrap();
        assert!(flat.fields < 300, "{flat:?}");
        assert!(nested.fields > 100 * 20 * 20, "{nested:?}");
    }

    #[test]
    fn fragments_count_each_time_they_are_spread() {
        let inner: String = (0..14).map(|i| format!("a{i}: sub ")).collect();
        let outer: String = (0..15).map(|i| format!("v{i}: viewer {{ ...F }} ")).collect();
        let c = cost(&format!("{{ {outer} }} fragment F on Viewer {{ {inner} }}")).unwrap();
        assert_eq!(c.aliases, 15 + 15 * 14);
    }

    #[test]
    fn the_standard_introspection_query_passes_and_the_circular_one_does_not() {
        let standard = async_graphql::parser::parse_query(include_str!(
            "../../../tests/fixtures/graphql-js-introspection.graphql"
        ))
        .unwrap();
        assert!(introspection_only(&standard, None));
        check_introspection(&standard, None, 30).unwrap();
        let circular = async_graphql::parser::parse_query(
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        )
        .unwrap();
        assert!(check_introspection(&circular, None, 30).is_err());
        let copies: String = (0..31)
            .map(|i| format!("s{i}: __schema {{ types {{ name }} }} "))
            .collect();
        let copies = async_graphql::parser::parse_query(format!("{{ {copies} }}")).unwrap();
        assert!(introspection_only(&copies, None));
        assert!(
            check_introspection(&copies, None, 30).is_err(),
            "aliased copies of the schema count"
        );
        let mixed =
            async_graphql::parser::parse_query("{ __schema { queryType { name } } viewer { sub } }").unwrap();
        assert!(!introspection_only(&mixed, None));
    }
}

#[cfg(test)]
mod budget {
    use super::*;

    /// The default budget admits the lists front ends open and about ten times the 100-project
    /// list, no more.
    #[test]
    fn the_default_budget_admits_the_front_end_lists() {
        let model = CostModel::from_sdl(&crate::graphql::sdl());
        let max = crate::settings::Limits::default().max_cost;
        let cost = |q: &str| {
            let doc = async_graphql::parser::parse_query(q).unwrap();
            model
                .check(&doc, None, &Variables::default(), u64::MAX, u64::MAX, usize::MAX)
                .unwrap()
                .fields
        };
        let list = cost(
            "{ eServiceProjects(first: 100) { totalCount edges { cursor node { id title phase owner { name } participations { municipality { name } } } } } }",
        );
        assert!(
            list * 5 <= max && max <= list * 12,
            "100-project list {list}, budget {max}"
        );
        let inventory = cost(
            r#"query {
  productUsage { product { name vendor { name orgNumber } } municipalities { name } totalMunicipalities }
  expiringContracts(withinMonths: 18) { municipality { name } product { name } contractEnd }
  systemMap(kommun: "1880") { systems { id product { name } hosting dataLocation confidentiality }
                              integrations { fromInstanceId toInstanceId protocol standard } }
  vendorInitiatives(first: 10) { edges { node {
    title state deadline vendor { name } requirements { text priority }
    supporters { municipality { name } comment }
    leverage { supporters combinedPopulation runningVendorProducts }
  } } }
}"#,
        );
        assert!(inventory <= max, "README's inventory example costs {inventory}");
    }

    #[test]
    fn only_the_project_list_and_what_hangs_off_it_reads_projects_only() {
        let model = CostModel::from_sdl(&crate::graphql::sdl());
        let only = |q: &str| {
            let doc = async_graphql::parser::parse_query(q).unwrap_or_else(|e| panic!("{e}"));
            model.reads_projects_only(&doc, None)
        };
        assert!(only(
            "{ eServiceProjects(first: 5) { totalCount pageInfo { hasNextPage } edges { node { id owner { name county { code } } participations { state municipality { code } project { title } } costShares { amount } decisions { summary } benefits { followUps { value } } statusReports { health } } } } }"
        ));
        assert!(only(
            "query { __typename eServiceProjects { nodes { ...p ... on EServiceProject { title } } } } fragment p on EServiceProject { budget }"
        ));
        // Anything else follows every change: other roots, the caller, ids of any type,
        // mutations, fragments on another type, several operations.
        assert!(!only("{ viewer { sub } eServiceProjects { totalCount } }"));
        assert!(!only("{ node(id: \"x\") { id } }"));
        assert!(!only("{ auditEvents { totalCount } }"));
        assert!(!only("mutation { __typename }"));
        assert!(!only("{ eServiceProjects { nodes { ... on Vendor { name } } } }"));
        assert!(!only(
            "query A { eServiceProjects { totalCount } } query B { viewer { sub } }"
        ));
        assert!(!only("{ eServiceProjects { nodes { unknownField } } }"));
    }
}
