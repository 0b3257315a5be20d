//! The audit's questions (revisionsunderlag): governing documents, the register of people in
//! pm3 roles, the nine answers, key-person risk and what kommuner pay for the same product.
use crate::domain::RecordKind;
use async_graphql::{
    Context, ID, InputObject, Object, Result, SimpleObject,
    connection::{Connection, EmptyFields},
};
use entity::governing_document;

use super::{
    connection, ids,
    inventory::{Product, RoleHolder, SystemInstance},
    loaders,
    projects::EServiceProject,
    reference::{Municipality, municipality},
    scalars::{Date, Decimal},
    scope,
};
use crate::{
    domain::{
        Sek, Visibility,
        readiness::{Answer, AnswerStatus, BodyKind, DocumentKind, Question, Risk},
    },
    service::{
        pagination::PageArgs,
        readiness::{DocumentFilter, DocumentSpec},
        visibility::Visible,
    },
};

/// A governing document (styrdokument): in force from its decision date until replaced.
#[derive(Clone)]
pub struct GoverningDocument(pub Visible<governing_document::Model>);

#[Object]
impl GoverningDocument {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(RecordKind::GoverningDocument, self.0.id)
    }
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.owner_id)
    }
    async fn kind(&self) -> DocumentKind {
        self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The body that adopted it, e.g. "Kommunfullmäktige" or "Kommundirektören".
    async fn adopting_body(&self) -> &str {
        &self.0.adopting_body
    }
    /// Whether that body is elected or an official.
    async fn body_kind(&self) -> BodyKind {
        self.0.body_kind
    }
    /// In force from this date.
    async fn decided_on(&self) -> Date {
        Date(self.0.decided_on)
    }
    async fn diarienummer(&self) -> &str {
        &self.0.diarienummer
    }
    async fn next_review(&self) -> Option<Date> {
        self.0.next_review.map(Date)
    }
    async fn link(&self) -> Option<&str> {
        self.0.link.as_deref()
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    /// When it stopped being in force: its replacement's decision date.
    async fn replaced_on(&self) -> Option<Date> {
        self.0.replaced_on.map(Date)
    }
    /// The document that replaced it, if the caller may see it.
    async fn replaced_by(&self, ctx: &Context<'_>) -> Result<Option<GoverningDocument>> {
        match self.0.replaced_by_id {
            Some(id) => Ok(scope(ctx)
                .readiness()
                .governing_document(id)
                .await?
                .map(GoverningDocument)),
            None => Ok(None),
        }
    }
    /// The document it replaced, if the caller may see it.
    async fn replaces(&self, ctx: &Context<'_>) -> Result<Option<GoverningDocument>> {
        match self.0.replaces_id {
            Some(id) => Ok(scope(ctx)
                .readiness()
                .governing_document(id)
                .await?
                .map(GoverningDocument)),
            None => Ok(None),
        }
    }
    /// In force on the given date (today by default).
    async fn in_force(&self, on: Option<Date>) -> bool {
        let on = on.map_or_else(|| chrono::Utc::now().date_naive(), |d| d.0);
        self.0.decided_on <= on && self.0.replaced_on.is_none_or(|r| r > on)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One figure behind an answer: `value` of `of` for a share, a plain count otherwise.
#[derive(SimpleObject)]
pub struct AuditFigure {
    name: String,
    value: i64,
    of: Option<i64>,
    /// `value` as a percentage of `of`, to one decimal; null for a count or when `of` is 0.
    percent: Option<f64>,
}

/// The answer to one of the audit's questions.
pub struct AuditAnswer(Answer);

#[Object]
impl AuditAnswer {
    async fn question(&self) -> Question {
        self.0.question
    }
    async fn status(&self) -> AnswerStatus {
        self.0.status
    }
    /// The rule, in words, with the county's thresholds.
    async fn rule(&self) -> &str {
        &self.0.rule
    }
    async fn figures(&self) -> Vec<AuditFigure> {
        self.0
            .figures
            .iter()
            .map(|f| AuditFigure {
                name: f.name.into(),
                value: f.value,
                of: f.of,
                percent: f
                    .of
                    .filter(|o| *o > 0)
                    .map(|o| (f.value as f64 * 1000.0 / o as f64).round() / 10.0),
            })
            .collect()
    }
    /// How many records the answer counted (only records the caller may see).
    async fn counted(&self) -> i32 {
        self.0.counted() as i32
    }
    /// The governing documents counted.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<GoverningDocument>> {
        Ok(scope(ctx)
            .readiness()
            .counted_documents(&self.0.documents)
            .await?
            .into_iter()
            .map(GoverningDocument)
            .collect())
    }
    /// The system instances counted, in id order.
    async fn systems(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Counted<SystemInstance>> {
        let page = scope(ctx)
            .readiness()
            .counted_systems(
                &self.0.systems,
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(counted(page, self.0.systems.len(), |i| i.id, SystemInstance))
    }
    /// The projects counted, in id order.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Counted<EServiceProject>> {
        let page = scope(ctx)
            .readiness()
            .counted_projects(
                &self.0.projects,
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(counted(page, self.0.projects.len(), |p| p.id, EServiceProject))
    }
}

/// Names the lists of counted records apart from the record kinds' own connections.
pub struct CountedName;

impl async_graphql::connection::ConnectionNameType for CountedName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        format!("Counted{}Connection", T::type_name())
    }
}

impl async_graphql::connection::EdgeNameType for CountedName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        format!("Counted{}Edge", T::type_name())
    }
}

/// A page of the records an answer counted.
type Counted<N> = Connection<String, N, CountedFields, EmptyFields, CountedName, CountedName>;

fn counted<M, N: async_graphql::OutputType>(
    page: crate::service::pagination::Page<M>,
    total: usize,
    id: impl Fn(&M) -> i64,
    node: impl Fn(M) -> N,
) -> Counted<N> {
    let mut c = Counted::with_additional_fields(
        page.has_previous,
        page.has_next,
        CountedFields {
            total_count: total as i32,
        },
    );
    c.edges.extend(page.items.into_iter().map(|m| {
        let cursor = crate::service::pagination::Cursor {
            key: None,
            id: id(&m),
        };
        async_graphql::connection::Edge::with_additional_fields(cursor.encode(), node(m), EmptyFields)
    }));
    c
}

/// How many records a list of counted records holds in all.
#[derive(SimpleObject)]
pub struct CountedFields {
    total_count: i32,
}

/// How the answers stood at one quarter end.
#[derive(SimpleObject)]
pub struct AuditQuarter {
    quarter_end: Date,
    statuses: Vec<AuditQuarterStatus>,
}

/// One question's status at a quarter end.
#[derive(SimpleObject)]
pub struct AuditQuarterStatus {
    question: Question,
    status: AnswerStatus,
}

/// The county's thresholds for the answers, in percent.
#[derive(SimpleObject)]
pub struct AuditThresholds {
    maintenance_object: i32,
    reviewed: i32,
    review_months: i32,
    roles_meets: i32,
    roles_partly: i32,
    share_meets: i32,
    share_partly: i32,
    sourcing: i32,
    cooperation: i32,
    key_person_systems: i32,
    key_person_availability: i32,
}

impl From<&crate::domain::readiness::Thresholds> for AuditThresholds {
    fn from(t: &crate::domain::readiness::Thresholds) -> Self {
        Self {
            maintenance_object: t.maintenance_object as i32,
            reviewed: t.reviewed as i32,
            review_months: t.review_months as i32,
            roles_meets: t.roles_meets as i32,
            roles_partly: t.roles_partly as i32,
            share_meets: t.share_meets as i32,
            share_partly: t.share_partly as i32,
            sourcing: t.sourcing as i32,
            cooperation: t.cooperation as i32,
            key_person_systems: t.key_person_systems as i32,
            key_person_availability: t.key_person_availability,
        }
    }
}

/// Where a kommun stands on the audit's nine questions at a date.
pub struct AuditReadiness(crate::service::readiness::Readiness);

#[Object]
impl AuditReadiness {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Municipality> {
        municipality(ctx, self.0.municipality_id)
    }
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// The nine answers, in the audit's order.
    async fn answers(&self) -> Vec<AuditAnswer> {
        self.0.answers.iter().cloned().map(AuditAnswer).collect()
    }
    /// One answer.
    async fn answer(&self, question: Question) -> Option<AuditAnswer> {
        self.0
            .answers
            .iter()
            .find(|a| a.question == question)
            .cloned()
            .map(AuditAnswer)
    }
    /// The statuses at the last eight quarter ends, oldest first.
    async fn trend(&self) -> Vec<AuditQuarter> {
        self.0
            .trend
            .iter()
            .map(|(q, statuses)| AuditQuarter {
                quarter_end: Date(*q),
                statuses: Question::ALL
                    .iter()
                    .zip(statuses)
                    .map(|(question, status)| AuditQuarterStatus {
                        question: *question,
                        status: *status,
                    })
                    .collect(),
            })
            .collect()
    }
    async fn thresholds(&self) -> AuditThresholds {
        AuditThresholds::from(&self.0.thresholds)
    }
}

/// Why a system is at key-person risk.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum KeyPersonRiskReason {
    /// A critical role (system owner, object owner, business maintenance lead) is empty.
    EmptyRole,
    /// One person holds every critical role.
    OnePerson,
}

/// A system at key-person risk.
#[derive(SimpleObject)]
pub struct SystemAtRisk {
    system: SystemInstance,
    reason: KeyPersonRiskReason,
}

/// A key person of the caller's own kommun and the systems that make them one.
#[derive(SimpleObject)]
pub struct KeyPerson {
    person: RoleHolder,
    systems: Vec<ID>,
}

/// Key-person risk (personberoende) in a kommun's systems, as far as the caller may see them.
#[derive(SimpleObject)]
pub struct KeyPersonRiskReport {
    municipality: Municipality,
    /// Systems counted.
    systems_counted: i32,
    systems_at_risk: Vec<SystemAtRisk>,
    key_person_count: i32,
    /// The key persons: only for the caller's own kommun (null elsewhere: people are never
    /// named outside their kommun).
    key_persons: Option<Vec<KeyPerson>>,
}

/// Key-person risk counts of one kommun.
#[derive(SimpleObject)]
pub struct KeyPersonRiskCount {
    municipality: Municipality,
    systems_counted: i32,
    systems_at_risk: i32,
    key_person_count: i32,
}

impl KeyPersonRiskCount {
    pub(super) fn of(ctx: &Context<'_>, r: &crate::service::readiness::KommunKeyPersons) -> Result<Self> {
        Ok(Self {
            municipality: municipality(ctx, r.municipality_id)?,
            systems_counted: r.systems as i32,
            systems_at_risk: r.at_risk as i32,
            key_person_count: r.key_persons as i32,
        })
    }
}

/// One kommun's cost for a product.
#[derive(SimpleObject)]
pub struct KommunProductCost {
    system: SystemInstance,
    municipality: Municipality,
    /// SEK per year.
    annual_cost: Decimal,
    /// SEK per inhabitant and year.
    cost_per_inhabitant: Option<Decimal>,
}

/// The costs of instances the caller may not see: only a distribution, and only of three or
/// more, so that no single hidden figure can be read off.
#[derive(SimpleObject)]
pub struct HiddenCostDistribution {
    count: i32,
    min: Decimal,
    median: Decimal,
    max: Decimal,
}

/// What the county's kommuner pay for one product.
#[derive(SimpleObject)]
pub struct ProductCostComparison {
    product: Option<Product>,
    kommuner: Vec<KommunProductCost>,
    /// How many instances with a cost the caller may not see.
    hidden_count: i32,
    hidden: Option<HiddenCostDistribution>,
}

/// A kommun's annual system costs, as far as the caller may see them.
#[derive(SimpleObject)]
pub struct KommunSystemCost {
    municipality: Municipality,
    annual_cost: Decimal,
}

fn sek(ore: i64) -> Decimal {
    Sek::from_ore(ore).to_decimal().into()
}

/// Filters on governing documents.
#[derive(InputObject, Default)]
pub struct GoverningDocumentFilter {
    /// The owning kommun (kommunkod).
    municipality: Option<String>,
    #[graphql(default)]
    kinds: Vec<DocumentKind>,
    /// Only documents in force on this date.
    in_force_on: Option<Date>,
}

/// Queries on the audit's questions.
#[derive(Default)]
pub struct ReadinessQuery;

#[Object]
impl ReadinessQuery {
    /// Governing documents the caller may see, in id order.
    async fn governing_documents(
        &self,
        ctx: &Context<'_>,
        filter: Option<GoverningDocumentFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, GoverningDocument>> {
        let f = filter.unwrap_or_default();
        let page = scope(ctx)
            .readiness()
            .governing_documents(
                &DocumentFilter {
                    municipality: f.municipality,
                    kinds: f.kinds,
                    in_force_on: f.in_force_on.map(|d| d.0),
                },
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(connection(
            page,
            EmptyFields,
            |_| None,
            |d| d.id,
            GoverningDocument,
        ))
    }

    /// The caller's kommun's register of people in pm3 roles; `search` matches a name or a key.
    async fn role_holders(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, RoleHolder>> {
        let page = scope(ctx)
            .readiness()
            .role_holders(
                search.as_deref(),
                &PageArgs {
                    first,
                    after,
                    ..Default::default()
                },
            )
            .await?;
        Ok(connection(page, EmptyFields, |_| None, |h| h.id, RoleHolder))
    }

    /// Where kommun `kommun` (kommunkod) stands on the audit's nine questions as of a date
    /// (today by default), from the records the caller may see.
    async fn audit_readiness(
        &self,
        ctx: &Context<'_>,
        kommun: String,
        as_of: Option<Date>,
    ) -> Result<AuditReadiness> {
        Ok(AuditReadiness(
            scope(ctx)
                .readiness()
                .audit_readiness(&kommun, as_of.map(|d| d.0))
                .await?,
        ))
    }

    /// The thresholds the audit's answers use in the caller's county (`county`: länskod):
    /// docs/domain.md's until its committee sets its own.
    async fn audit_thresholds(&self, ctx: &Context<'_>, county: String) -> Result<AuditThresholds> {
        Ok(AuditThresholds::from(
            &scope(ctx).readiness().county_thresholds(&county).await?,
        ))
    }

    /// Key-person risk in a kommun's systems; people are named to their own kommun only.
    async fn key_person_risk(&self, ctx: &Context<'_>, kommun: String) -> Result<KeyPersonRiskReport> {
        let r = scope(ctx).readiness().key_person_risk(&kommun).await?;
        Ok(KeyPersonRiskReport {
            municipality: municipality(ctx, r.municipality_id)?,
            systems_counted: r.systems as i32,
            systems_at_risk: r
                .at_risk
                .into_iter()
                .map(|(s, why)| SystemAtRisk {
                    system: SystemInstance(s),
                    reason: match why {
                        Risk::EmptyRole => KeyPersonRiskReason::EmptyRole,
                        Risk::OnePerson => KeyPersonRiskReason::OnePerson,
                    },
                })
                .collect(),
            key_person_count: r.key_person_count as i32,
            key_persons: r.key_persons.map(|ks| {
                ks.into_iter()
                    .map(|(h, systems)| KeyPerson {
                        person: RoleHolder(h),
                        systems: systems
                            .into_iter()
                            .map(|s| ids::encode(RecordKind::SystemInstance, s))
                            .collect(),
                    })
                    .collect()
            }),
        })
    }

    /// Key-person risk counts for every kommun of the caller's county, over the systems the
    /// caller may see.
    async fn key_person_risk_by_municipality(&self, ctx: &Context<'_>) -> Result<Vec<KeyPersonRiskCount>> {
        let rows = scope(ctx).readiness().key_person_risk_by_kommun().await?;
        rows.iter().map(|r| KeyPersonRiskCount::of(ctx, r)).collect()
    }

    /// What the kommuner of the caller's county pay for one product: named where the caller
    /// may see the system, only as a distribution of three or more otherwise.
    async fn cost_comparison(&self, ctx: &Context<'_>, product_id: ID) -> Result<ProductCostComparison> {
        let product = ids::decode("productId", RecordKind::Product, &product_id)?;
        let c = scope(ctx).readiness().cost_comparison(Some(product)).await?;
        let found = loaders(ctx).product(product).await?.map(Product);
        let p = c.products.into_iter().next();
        let mut kommuner = Vec::new();
        let (mut hidden_count, mut hidden) = (0, None);
        if let Some(p) = p {
            for (i, cost, per) in p.named {
                kommuner.push(KommunProductCost {
                    municipality: municipality(ctx, i.owner_id)?,
                    system: SystemInstance(i),
                    annual_cost: cost.to_decimal().into(),
                    cost_per_inhabitant: per.map(sek),
                });
            }
            hidden_count = p.hidden_count as i32;
            hidden = p.hidden.map(|(count, min, median, max)| HiddenCostDistribution {
                count: count as i32,
                min: sek(min),
                median: sek(median),
                max: sek(max),
            });
        }
        Ok(ProductCostComparison {
            product: found,
            kommuner,
            hidden_count,
            hidden,
        })
    }

    /// Per kommun of the caller's county, the annual cost of the systems the caller may see.
    async fn system_cost_totals(&self, ctx: &Context<'_>) -> Result<Vec<KommunSystemCost>> {
        let c = scope(ctx).readiness().cost_comparison(None).await?;
        c.totals
            .into_iter()
            .map(|(k, ore)| {
                Ok(KommunSystemCost {
                    municipality: municipality(ctx, k)?,
                    annual_cost: sek(ore),
                })
            })
            .collect()
    }
}

/// A new governing document of the caller's kommun. `decidedOn`, `adoptingBody`, `bodyKind`
/// and `title` are required; they are nullable here so that a missing one is a
/// `BAD_USER_INPUT` naming it.
#[derive(InputObject)]
pub struct GoverningDocumentInput {
    kind: Option<DocumentKind>,
    title: Option<String>,
    adopting_body: Option<String>,
    body_kind: Option<BodyKind>,
    decided_on: Option<Date>,
    #[graphql(default)]
    diarienummer: String,
    next_review: Option<Date>,
    link: Option<String>,
    /// PRIVATE, COUNTY (default) or PUBLIC.
    visibility: Option<Visibility>,
}

impl GoverningDocumentInput {
    fn spec(self) -> DocumentSpec {
        DocumentSpec {
            kind: self.kind,
            title: self.title,
            adopting_body: self.adopting_body,
            body_kind: self.body_kind,
            decided_on: self.decided_on.map(|d| d.0),
            diarienummer: Some(self.diarienummer),
            next_review: self.next_review.map(|d| Some(d.0)),
            link: self.link.map(Some),
            visibility: self.visibility,
        }
    }
}

/// Corrections to a document; omitted fields stay, null clears `nextReview` and `link`.
#[derive(InputObject)]
pub struct UpdateGoverningDocumentInput {
    id: ID,
    version: i32,
    kind: Option<DocumentKind>,
    title: Option<String>,
    adopting_body: Option<String>,
    body_kind: Option<BodyKind>,
    decided_on: Option<Date>,
    diarienummer: Option<String>,
    next_review: async_graphql::MaybeUndefined<Date>,
    link: async_graphql::MaybeUndefined<String>,
    visibility: Option<Visibility>,
}

/// Adopting a new document in place of one in force.
#[derive(InputObject)]
pub struct ReplaceGoverningDocumentInput {
    /// The document replaced.
    id: ID,
    version: i32,
    /// The new document; its kind and visibility default to the replaced one's.
    document: GoverningDocumentInput,
}

/// The document.
#[derive(SimpleObject)]
pub struct GoverningDocumentPayload {
    document: GoverningDocument,
}

/// The replaced document and its replacement.
#[derive(SimpleObject)]
pub struct ReplaceGoverningDocumentPayload {
    replaced: GoverningDocument,
    document: GoverningDocument,
}

/// A person for the caller's kommun's register.
#[derive(InputObject)]
pub struct CreateRoleHolderInput {
    display_name: String,
    /// The kommun's own key, e.g. an employee number; never a personnummer.
    key: Option<String>,
}

/// Changes to a person; null clears the key.
#[derive(InputObject)]
pub struct UpdateRoleHolderInput {
    id: ID,
    version: i32,
    display_name: Option<String>,
    key: async_graphql::MaybeUndefined<String>,
}

/// Removing a person who holds no role.
#[derive(InputObject)]
pub struct DeleteRoleHolderInput {
    id: ID,
}

/// The person.
#[derive(SimpleObject)]
pub struct RoleHolderPayload {
    person: RoleHolder,
}

fn maybe<T, U>(m: async_graphql::MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match m {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

/// New thresholds for the audit's answers in a county; omitted figures stay as they are.
/// Percentages are 0–100, `reviewMonths` 1–120, `keyPersonSystems` 1–1000,
/// `keyPersonAvailability` a KLASSA level 0–4.
#[derive(InputObject)]
pub struct SetAuditThresholdsInput {
    /// The county (länskod), the caller's own.
    county: String,
    /// Start from docs/domain.md's figures instead of the county's current ones.
    #[graphql(default)]
    reset: bool,
    maintenance_object: Option<i32>,
    reviewed: Option<i32>,
    review_months: Option<i32>,
    roles_meets: Option<i32>,
    roles_partly: Option<i32>,
    share_meets: Option<i32>,
    share_partly: Option<i32>,
    sourcing: Option<i32>,
    cooperation: Option<i32>,
    key_person_systems: Option<i32>,
    key_person_availability: Option<i32>,
}

impl SetAuditThresholdsInput {
    fn change(&self) -> Result<crate::service::readiness::ThresholdChange> {
        let pct = |field: &str, v: Option<i32>| -> Result<Option<u32>> {
            v.map(|v| {
                u32::try_from(v).map_err(|_| {
                    async_graphql::Error::from(crate::error::ApiError::input(
                        field,
                        format!("{field} must not be negative"),
                    ))
                })
            })
            .transpose()
        };
        Ok(crate::service::readiness::ThresholdChange {
            maintenance_object: pct("maintenanceObject", self.maintenance_object)?,
            reviewed: pct("reviewed", self.reviewed)?,
            review_months: pct("reviewMonths", self.review_months)?,
            roles_meets: pct("rolesMeets", self.roles_meets)?,
            roles_partly: pct("rolesPartly", self.roles_partly)?,
            share_meets: pct("shareMeets", self.share_meets)?,
            share_partly: pct("sharePartly", self.share_partly)?,
            sourcing: pct("sourcing", self.sourcing)?,
            cooperation: pct("cooperation", self.cooperation)?,
            key_person_systems: pct("keyPersonSystems", self.key_person_systems)?,
            key_person_availability: self.key_person_availability,
            reset: self.reset,
        })
    }
}

/// The county's thresholds as they now stand.
#[derive(SimpleObject)]
pub struct SetAuditThresholdsPayload {
    thresholds: AuditThresholds,
}

/// Mutations on the audit's records.
#[derive(Default)]
pub struct ReadinessMutation;

#[Object]
impl ReadinessMutation {
    /// Records a governing document the caller's kommun adopted (editors).
    async fn create_governing_document(
        &self,
        ctx: &Context<'_>,
        input: GoverningDocumentInput,
    ) -> Result<GoverningDocumentPayload> {
        let d = scope(ctx)
            .readiness()
            .create_governing_document(input.spec())
            .await?;
        Ok(GoverningDocumentPayload {
            document: GoverningDocument(d),
        })
    }

    /// Corrects a governing document (the owning kommun's editors); CONFLICT on a stale version.
    async fn update_governing_document(
        &self,
        ctx: &Context<'_>,
        input: UpdateGoverningDocumentInput,
    ) -> Result<GoverningDocumentPayload> {
        let id = ids::decode("id", RecordKind::GoverningDocument, &input.id)?;
        let spec = DocumentSpec {
            kind: input.kind,
            title: input.title,
            adopting_body: input.adopting_body,
            body_kind: input.body_kind,
            decided_on: input.decided_on.map(|d| d.0),
            diarienummer: input.diarienummer,
            next_review: maybe(input.next_review, |d| d.0),
            link: maybe(input.link, |l| l),
            visibility: input.visibility,
        };
        let d = scope(ctx)
            .readiness()
            .update_governing_document(id, input.version, spec)
            .await?;
        Ok(GoverningDocumentPayload {
            document: GoverningDocument(d),
        })
    }

    /// Adopts a new document in place of one (the owning kommun's editors): the old one stays
    /// on record, in force until the new one's decision date.
    async fn replace_governing_document(
        &self,
        ctx: &Context<'_>,
        input: ReplaceGoverningDocumentInput,
    ) -> Result<ReplaceGoverningDocumentPayload> {
        let id = ids::decode("id", RecordKind::GoverningDocument, &input.id)?;
        let (old, new) = scope(ctx)
            .readiness()
            .replace_governing_document(id, input.version, input.document.spec())
            .await?;
        Ok(ReplaceGoverningDocumentPayload {
            replaced: GoverningDocument(old),
            document: GoverningDocument(new),
        })
    }

    /// Adds a person to the caller's kommun's register of pm3 role holders (editors).
    async fn create_role_holder(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleHolderInput,
    ) -> Result<RoleHolderPayload> {
        let h = scope(ctx)
            .readiness()
            .create_role_holder(&input.display_name, input.key.as_deref())
            .await?;
        Ok(RoleHolderPayload {
            person: RoleHolder(h),
        })
    }

    /// Renames a person or changes their key (the kommun's editors).
    async fn update_role_holder(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoleHolderInput,
    ) -> Result<RoleHolderPayload> {
        let id = ids::decode("id", RecordKind::RoleHolder, &input.id)?;
        let key = maybe(input.key, |k| k);
        let h = scope(ctx)
            .readiness()
            .update_role_holder(
                id,
                input.version,
                input.display_name.as_deref(),
                key.as_ref().map(|k| k.as_deref()),
            )
            .await?;
        Ok(RoleHolderPayload {
            person: RoleHolder(h),
        })
    }

    /// Sets the thresholds of the audit's answers for the county (its joint committee,
    /// `namnd`); every figure is checked before anything is written.
    async fn set_audit_thresholds(
        &self,
        ctx: &Context<'_>,
        input: SetAuditThresholdsInput,
    ) -> Result<SetAuditThresholdsPayload> {
        let t = scope(ctx)
            .readiness()
            .set_audit_thresholds(&input.county, input.change()?)
            .await?;
        Ok(SetAuditThresholdsPayload {
            thresholds: AuditThresholds::from(&t),
        })
    }

    /// Removes a person who holds no role; refused (CONFLICT) naming the systems otherwise.
    async fn delete_role_holder(
        &self,
        ctx: &Context<'_>,
        input: DeleteRoleHolderInput,
    ) -> Result<RoleHolderPayload> {
        let id = ids::decode("id", RecordKind::RoleHolder, &input.id)?;
        let h = scope(ctx).readiness().delete_role_holder(id).await?;
        Ok(RoleHolderPayload {
            person: RoleHolder(h),
        })
    }
}
