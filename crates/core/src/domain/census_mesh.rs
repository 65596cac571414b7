//! The 2020 census by 500 m mesh cell (e-Stat 地域メッシュ統計, table T001141 「人口及び世帯」), as
//! published: five counts per cell, each `None` where the census suppresses it (`*`), and the
//! cell's suppression status.
//!
//! The census keeps small counts secret by merging cells (秘匿処理, column HTKSYORI): a cell with
//! few residents (status 2, [`MeshSuppression::MergedInto`]) publishes only its total population
//! and households; its other figures are added to a neighbouring cell (HTKSAKI), which is then
//! status 1 ([`MeshSuppression::Receives`], its GASSAN column listing the merged cells). The
//! receiving cell's age and household figures therefore cover itself and every cell merged into
//! it, while its total population is its own (checked on the data: in a receiving cell, 0–14 plus
//! 15+ is its own total plus the merged cells' totals, less those of unknown age).

use crate::{MeshCode, PopulationGroup};

/// How the census published a cell (its HTKSYORI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeshSuppression {
    /// 0: every figure as counted.
    None,
    /// 1: its figures other than total population and households include those of the cells
    /// merged into it.
    Receives,
    /// 2: only its total population and households are published; its other figures are
    /// counted in the cell named.
    MergedInto(MeshCode),
}

impl MeshSuppression {
    /// Stable id for files and the API: `none`, `receives_merged`, `merged_into`.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            MeshSuppression::None => "none",
            MeshSuppression::Receives => "receives_merged",
            MeshSuppression::MergedInto(_) => "merged_into",
        }
    }

    /// The cell this one's figures are counted in, for [`MeshSuppression::MergedInto`].
    #[must_use]
    pub const fn merged_into(self) -> Option<MeshCode> {
        match self {
            MeshSuppression::MergedInto(code) => Some(code),
            MeshSuppression::None | MeshSuppression::Receives => None,
        }
    }
}

/// One 500 m cell of the census mesh table, figures exactly as published (`None`: `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CensusMeshCell {
    /// The cell (a [`MeshLevel::Half`](crate::MeshLevel::Half) code).
    pub code: MeshCode,
    /// How the census published it.
    pub suppression: MeshSuppression,
    /// 人口総数 (T001141001).
    pub population_total: Option<u32>,
    /// 65歳以上人口 (T001141019).
    pub aged_65_plus: Option<u32>,
    /// 75歳以上人口 (T001141022).
    pub aged_75_plus: Option<u32>,
    /// 85歳以上人口 (T001141025).
    pub aged_85_plus: Option<u32>,
    /// 高齢単身世帯数 (T001141049): one resident aged 65+ each.
    pub elderly_living_alone: Option<u32>,
    /// 世帯総数 (T001141034).
    pub households: Option<u32>,
}

impl CensusMeshCell {
    /// The published figure of `group` (for a receiving cell, that of itself and the cells merged
    /// into it, except for the total).
    #[must_use]
    pub const fn published(&self, group: PopulationGroup) -> Option<u32> {
        match group {
            PopulationGroup::Total => self.population_total,
            PopulationGroup::Aged65Plus => self.aged_65_plus,
            PopulationGroup::Aged75Plus => self.aged_75_plus,
            PopulationGroup::Aged85Plus => self.aged_85_plus,
            PopulationGroup::ElderlyLivingAlone => self.elderly_living_alone,
        }
    }
}
