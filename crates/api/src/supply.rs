//! Unknown is never zero in an analysis answer: a kind with no source in the study area is refused
//! (a gap or score would show facilities we do not know as none), and an answer resting on a
//! partly known supply says so in a sentence a planner can read.

use care_atlas_core::{
    Atlas, FacilityKind, SourceCompleteness, SourceScope, SupplyCompleteness, SupplyKnowledge,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::ApiError;

/// How completely the facilities behind an answer are known, in the study area and across its
/// border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Completeness {
    /// Every facility of the kinds is known, in the study area and in the neighbouring
    /// municipalities.
    Complete,
    /// Some facilities are not in our sources: `completeness_note` says which and what it means
    /// for the figures.
    Partial,
}

/// What an analysis answer counts, for the sentence saying what a partial supply means for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    /// People or area out of reach (`/coverage-gaps`).
    OutOfReach,
    /// Floating catchment scores (`/accessibility`).
    Scores,
    /// Residents newly brought within reach (`/site-suggestions`).
    NewlyCovered,
    /// Gaps and scores before and after (`/scenarios`).
    Scenario,
}

impl Figures {
    fn consequence(self) -> &'static str {
        match self {
            Figures::OutOfReach => {
                "People shown out of reach may be served by facilities we do not know; the figures out of reach are upper bounds"
            }
            Figures::Scores => {
                "Facilities we do not know add supply; the scores are lower bounds, and cells shown without access may have some"
            }
            Figures::NewlyCovered => {
                "Residents shown as newly covered may already be served by facilities we do not know; the figures are upper bounds"
            }
            Figures::Scenario => {
                "Facilities we do not know may already serve residents; the figures out of reach are upper bounds and the accessibility scores lower bounds"
            }
        }
    }
}

/// The supply of the kinds asked (`kinds` empty: every kind), refusing a kind named in
/// `parameter` that has no source in the study area.
pub fn check(
    atlas: &Atlas,
    parameter: &str,
    kinds: &[FacilityKind],
) -> Result<SupplyCompleteness, ApiError> {
    let supply = atlas.supply_completeness(kinds);
    // With no kind named, every kind is asked and those without a source only make the answer
    // partial; a kind named explicitly is refused.
    if let Some(&kind) = supply.unknown_kinds.first().filter(|_| !kinds.is_empty()) {
        let known: Vec<&str> = FacilityKind::ALL
            .into_iter()
            .filter(|&k| atlas.kind_supply(k) != SupplyKnowledge::Unknown)
            .map(FacilityKind::id)
            .collect();
        return Err(ApiError::NoSource {
            parameter: parameter.to_owned(),
            detail: format!(
                "{} ({}) has no source in the study area: we know none of these facilities, so a gap or a score would show facilities we do not know as none; no figure is given",
                kind.label_ja(),
                kind.id()
            ),
            accepted: format!("a kind with a source in the study area: {}", known.join(", ")),
        });
    }
    Ok(supply)
}

/// `complete`, or `partial` with the sentence saying which kinds are not fully known and what
/// that means for `figures`.
#[must_use]
pub fn note(
    atlas: &Atlas,
    supply: &SupplyCompleteness,
    figures: Figures,
) -> (Completeness, Option<String>) {
    if supply.knowledge == SupplyKnowledge::Complete {
        return (Completeness::Complete, None);
    }
    let mut gaps: Vec<String> = supply
        .partial_kinds
        .iter()
        .map(|&kind| format!("{} ({}): {}", kind.label_ja(), label(kind), known_where(atlas, kind)))
        .collect();
    gaps.extend(
        supply
            .unknown_kinds
            .iter()
            .map(|&kind| format!("{} ({}): none is known", kind.label_ja(), label(kind))),
    );
    let sentence = format!(
        "Some facilities are not in our sources. {}. {}.",
        gaps.join(". "),
        figures.consequence()
    );
    (Completeness::Partial, Some(sentence))
}

fn label(kind: FacilityKind) -> String {
    kind.label_en().to_lowercase()
}

fn known_where(atlas: &Atlas, kind: FacilityKind) -> String {
    use SourceCompleteness::{Complete, NoSource, Partial};
    let study_area = atlas.source_completeness(kind, SourceScope::StudyArea);
    let neighbours = atlas.source_completeness(kind, SourceScope::Neighbours);
    let known = match (study_area, neighbours) {
        (Partial, NoSource) => {
            "only some in the study area are known, and none in the neighbouring municipalities"
        }
        (Partial, Partial) => {
            "only some in the study area and in the neighbouring municipalities are known"
        }
        (Partial, Complete) => "only some in the study area are known",
        (Complete, NoSource) => "none in the neighbouring municipalities is known",
        (Complete, Partial) => "only some in the neighbouring municipalities are known",
        (Complete, Complete) | (NoSource, _) => "not all are known",
    };
    // A partly known neighbour scope says what is missing there (records the source placed
    // wrongly, say), so that a planner can judge how much it matters near the border.
    let neighbour_note = (neighbours == Partial)
        .then(|| {
            atlas
                .completeness_statements()
                .iter()
                .find(|c| c.kind == kind && c.scope == SourceScope::Neighbours)
                .map(|c| c.note.as_str())
                .filter(|note| !note.is_empty())
        })
        .flatten();
    match neighbour_note {
        Some(note) => format!("{known}: {note}"),
        None => known.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FacilityKind::{CommunitySupportCenter, HomeCareClinic, VisitingNursingStation};
    use care_atlas_core::{AtlasParts, KindCompleteness};

    fn atlas() -> Atlas {
        let statement = |kind, scope, completeness| KindCompleteness {
            kind,
            scope,
            completeness,
            note: String::new(),
        };
        Atlas::new(AtlasParts {
            completeness: vec![
                statement(
                    VisitingNursingStation,
                    SourceScope::StudyArea,
                    SourceCompleteness::Complete,
                ),
                statement(
                    VisitingNursingStation,
                    SourceScope::Neighbours,
                    SourceCompleteness::Complete,
                ),
                statement(HomeCareClinic, SourceScope::StudyArea, SourceCompleteness::Partial),
                statement(HomeCareClinic, SourceScope::Neighbours, SourceCompleteness::NoSource),
            ],
            ..AtlasParts::default()
        })
    }

    #[test]
    fn a_named_kind_without_a_study_area_source_is_refused_naming_the_parameter() {
        let err =
            check(&atlas(), "kind", &[VisitingNursingStation, CommunitySupportCenter]).unwrap_err();
        let problem = err.problem();
        assert_eq!(problem.status, 400);
        assert_eq!(problem.parameter.as_deref(), Some("kind"));
        assert!(problem.detail.contains("community_support_center"), "{}", problem.detail);
        assert!(problem.accepted.unwrap_or_default().contains("visiting_nursing_station"));
    }

    #[test]
    fn a_partial_kind_is_answered_with_a_sentence_saying_the_gap_is_an_upper_bound() {
        let atlas = atlas();
        let supply = check(&atlas, "kind", &[HomeCareClinic]).unwrap();
        let (completeness, sentence) = note(&atlas, &supply, Figures::OutOfReach);
        assert_eq!(completeness, Completeness::Partial);
        let sentence = sentence.unwrap();
        assert!(sentence.contains("home-care support clinic"), "{sentence}");
        assert!(sentence.contains("upper bounds"), "{sentence}");
    }

    #[test]
    fn a_complete_kind_is_complete_without_a_sentence() {
        let atlas = atlas();
        let supply = check(&atlas, "kind", &[VisitingNursingStation]).unwrap();
        assert_eq!(note(&atlas, &supply, Figures::Scores), (Completeness::Complete, None));
    }

    #[test]
    fn every_kind_asked_at_once_is_partial_naming_the_kinds_we_do_not_know() {
        let atlas = atlas();
        let supply = check(&atlas, "kind", &[]).unwrap();
        let (completeness, sentence) = note(&atlas, &supply, Figures::OutOfReach);
        assert_eq!(completeness, Completeness::Partial);
        assert!(sentence.unwrap().contains("地域包括支援センター"));
    }
}
