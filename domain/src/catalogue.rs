//! The published catalogue's own vocabulary: how far an e-service meets the accessibility
//! requirements of the law on accessibility of digital public services (DOS-lagen, 2018:1937),
//! which points to EN 301 549 and through it WCAG 2.1 level AA.
use crate::project::text_enum;

text_enum!(
    /// The conformance status an accessibility statement (tillgänglighetsredogörelse) declares,
    /// in the three steps of the EU's model statement (Commission Implementing Decision
    /// 2018/1523).
    AccessibilityConformance {
        /// Helt förenlig: every requirement of EN 301 549 / WCAG 2.1 AA is met.
        FullyCompliant = "FULLY_COMPLIANT",
        /// Delvis förenlig: most requirements are met; the statement lists the exceptions.
        PartiallyCompliant = "PARTIALLY_COMPLIANT",
        /// Inte förenlig: most requirements are not met.
        NotCompliant = "NOT_COMPLIANT",
    }
);

impl AccessibilityConformance {
    /// As the Swedish model statement words it ("… är helt förenlig med lagkraven").
    pub fn swedish(self) -> &'static str {
        match self {
            AccessibilityConformance::FullyCompliant => "helt förenlig med EN 301 549 (WCAG 2.1 nivå AA)",
            AccessibilityConformance::PartiallyCompliant => {
                "delvis förenlig med EN 301 549 (WCAG 2.1 nivå AA)"
            }
            AccessibilityConformance::NotCompliant => "inte förenlig med EN 301 549 (WCAG 2.1 nivå AA)",
        }
    }
}
