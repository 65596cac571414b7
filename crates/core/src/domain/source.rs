//! Where the data comes from: each source data set with its terms and the credit it asks for.

/// A source data set: what it is, who publishes it, under what terms, and how to credit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Stable id (`mhlw-kaigo-130`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Licence or terms of use.
    pub licence: String,
    /// Attribution text exactly as the terms ask for it.
    pub attribution: String,
    /// The date the data describes, where known.
    pub as_of: Option<String>,
    /// What `as_of` is (publication date, census date, date of the copy).
    pub as_of_basis: String,
    /// Where our copy was found.
    pub origin: String,
}

impl SourceInfo {
    /// The attribution of every source, each text once, in catalogue order: the credit line a
    /// map or a page showing the data must carry.
    #[must_use]
    pub fn attributions(sources: &[SourceInfo]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for source in sources {
            if !out.contains(&source.attribution) {
                out.push(source.attribution.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str, attribution: &str) -> SourceInfo {
        SourceInfo {
            id: id.into(),
            title: String::new(),
            publisher: String::new(),
            licence: String::new(),
            attribution: attribution.into(),
            as_of: None,
            as_of_basis: String::new(),
            origin: String::new(),
        }
    }

    #[test]
    fn attributions_keep_catalogue_order_and_name_a_shared_credit_once() {
        let sources = [source("a", "N03"), source("b", "e-Stat"), source("c", "N03")];
        assert_eq!(SourceInfo::attributions(&sources), ["N03", "e-Stat"]);
    }
}
