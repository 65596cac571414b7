//! How complete the supply behind a study-area answer is (gaps, accessibility, site suggestions,
//! scenarios): facilities across the border serve the study area too, so both the study area's
//! and the neighbours' coverage matter.
//!
//! Rule, per kind: no source in the study area → unknown (an answer would show unknown as zero);
//! partial in the study area, or complete there but partial or without source in the
//! neighbours → partial (people shown out of reach may be served by facilities we do not know);
//! complete in both → complete.

use crate::{Atlas, FacilityKind, SourceCompleteness, SourceScope};

/// How much of the supply of some kinds the data knows, for a study-area question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SupplyKnowledge {
    /// Every facility is known, in the study area and in its neighbours.
    Complete,
    /// Some facilities are known: gaps are upper bounds, supply and scores lower bounds.
    Partial,
    /// Nothing is known in the study area: no figure can be given.
    Unknown,
}

impl SupplyKnowledge {
    /// Stable id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            SupplyKnowledge::Complete => "complete",
            SupplyKnowledge::Partial => "partial",
            SupplyKnowledge::Unknown => "unknown",
        }
    }

    /// The knowledge of one kind from its coverage in the study area and in the neighbours.
    #[must_use]
    pub fn of_kind(study_area: SourceCompleteness, neighbours: SourceCompleteness) -> Self {
        match (study_area, neighbours) {
            (SourceCompleteness::NoSource, _) => SupplyKnowledge::Unknown,
            (SourceCompleteness::Complete, SourceCompleteness::Complete) => {
                SupplyKnowledge::Complete
            }
            _ => SupplyKnowledge::Partial,
        }
    }
}

/// The supply knowledge of a set of kinds, and which kinds make it less than complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyCompleteness {
    /// For the set: unknown when no kind of it is known in the study area, partial when some
    /// kind is not completely known, complete otherwise.
    pub knowledge: SupplyKnowledge,
    /// Kinds with no source in the study area, in [`FacilityKind::ALL`] order.
    pub unknown_kinds: Vec<FacilityKind>,
    /// Kinds known only in part (in the study area or its neighbours), in [`FacilityKind::ALL`]
    /// order.
    pub partial_kinds: Vec<FacilityKind>,
}

impl SupplyCompleteness {
    /// The set's knowledge from each kind's (`kinds` empty means no kind: unknown).
    #[must_use]
    pub fn of(kinds: impl IntoIterator<Item = (FacilityKind, SupplyKnowledge)>) -> Self {
        let mut unknown_kinds = Vec::new();
        let mut partial_kinds = Vec::new();
        let mut known = 0_usize;
        for (kind, knowledge) in kinds {
            match knowledge {
                SupplyKnowledge::Unknown => unknown_kinds.push(kind),
                SupplyKnowledge::Partial => {
                    partial_kinds.push(kind);
                    known += 1;
                }
                SupplyKnowledge::Complete => known += 1,
            }
        }
        unknown_kinds.sort_unstable();
        unknown_kinds.dedup();
        partial_kinds.sort_unstable();
        partial_kinds.dedup();
        let knowledge = if known == 0 {
            SupplyKnowledge::Unknown
        } else if unknown_kinds.is_empty() && partial_kinds.is_empty() {
            SupplyKnowledge::Complete
        } else {
            SupplyKnowledge::Partial
        };
        SupplyCompleteness { knowledge, unknown_kinds, partial_kinds }
    }
}

impl Atlas {
    /// How completely the supply of `kind` is known for a study-area question.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityKind, SupplyKnowledge};
    /// // With no coverage statements, nothing is known.
    /// let atlas = Atlas::new(AtlasParts::default());
    /// assert_eq!(atlas.kind_supply(FacilityKind::Hospital), SupplyKnowledge::Unknown);
    /// ```
    #[must_use]
    pub fn kind_supply(&self, kind: FacilityKind) -> SupplyKnowledge {
        SupplyKnowledge::of_kind(
            self.source_completeness(kind, SourceScope::StudyArea),
            self.source_completeness(kind, SourceScope::Neighbours),
        )
    }

    /// How completely the supply of `kinds` (every kind when empty, as the analyses read it) is
    /// known for a study-area question.
    #[must_use]
    pub fn supply_completeness(&self, kinds: &[FacilityKind]) -> SupplyCompleteness {
        let kinds: &[FacilityKind] = if kinds.is_empty() { &FacilityKind::ALL } else { kinds };
        SupplyCompleteness::of(kinds.iter().map(|&kind| (kind, self.kind_supply(kind))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AtlasParts, KindCompleteness};
    use FacilityKind::{CommunitySupportCenter, HomeCareClinic, VisitingNursingStation};
    use SourceCompleteness::{Complete, NoSource, Partial};

    fn check_kind(study_area: SourceCompleteness, neighbours: SourceCompleteness, expected: &str) {
        assert_eq!(SupplyKnowledge::of_kind(study_area, neighbours).id(), expected);
    }

    #[test]
    fn a_kind_is_unknown_without_a_study_area_source_and_partial_when_any_scope_is_partial() {
        check_kind(Complete, Complete, "complete");
        check_kind(Complete, Partial, "partial");
        check_kind(Complete, NoSource, "partial");
        check_kind(Partial, Complete, "partial");
        check_kind(Partial, NoSource, "partial");
        check_kind(NoSource, Complete, "unknown");
        check_kind(NoSource, NoSource, "unknown");
    }

    fn statement(
        kind: FacilityKind,
        scope: SourceScope,
        completeness: SourceCompleteness,
    ) -> KindCompleteness {
        KindCompleteness { kind, scope, completeness, note: String::new() }
    }

    fn atlas() -> Atlas {
        use SourceScope::{Neighbours, StudyArea};
        Atlas::new(AtlasParts {
            completeness: vec![
                statement(VisitingNursingStation, StudyArea, Complete),
                statement(VisitingNursingStation, Neighbours, Complete),
                statement(HomeCareClinic, StudyArea, Partial),
                statement(HomeCareClinic, Neighbours, NoSource),
                statement(CommunitySupportCenter, StudyArea, NoSource),
            ],
            ..AtlasParts::default()
        })
    }

    fn check_set(kinds: &[FacilityKind], expected: &str, unknown: &[FacilityKind]) {
        let supply = atlas().supply_completeness(kinds);
        assert_eq!(supply.knowledge.id(), expected, "{kinds:?}");
        assert_eq!(supply.unknown_kinds, unknown, "{kinds:?}");
    }

    #[test]
    fn a_set_is_unknown_only_when_no_kind_of_it_is_known_and_partial_when_any_kind_falls_short() {
        check_set(&[VisitingNursingStation], "complete", &[]);
        check_set(&[HomeCareClinic], "partial", &[]);
        check_set(&[CommunitySupportCenter], "unknown", &[CommunitySupportCenter]);
        check_set(&[VisitingNursingStation, HomeCareClinic], "partial", &[]);
        check_set(
            &[VisitingNursingStation, CommunitySupportCenter],
            "partial",
            &[CommunitySupportCenter],
        );
    }

    #[test]
    fn every_kind_is_asked_when_the_set_is_empty() {
        let supply = atlas().supply_completeness(&[]);
        assert_eq!(supply.knowledge, SupplyKnowledge::Partial);
        assert!(supply.unknown_kinds.contains(&CommunitySupportCenter));
        assert_eq!(supply.partial_kinds, [HomeCareClinic]);
    }
}
