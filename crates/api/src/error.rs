//! Every API error as an RFC 9457 `application/problem+json` document naming the bad parameter and
//! what is accepted. 4xx are the client's: logged briefly at debug by the request log, never as
//! errors; 5xx say nothing internal to the client and are logged.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:care-atlas:problem:invalid-parameter")]
    pub problem_type: String,
    /// A short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// The query parameter, path segment or body field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// What the parameter accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// For an address naming a town that several municipalities have: each place it may stand
    /// for, with the address that asks for that place alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<AddressChoice>>,
}

/// One place an ambiguous address may stand for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AddressChoice {
    /// The municipality and town, as the gazetteer names them.
    #[schema(example = "蓮田市東一丁目")]
    pub town: String,
    /// The municipality's code.
    #[schema(example = "11238")]
    pub municipality_code: String,
    /// The address asked, with the municipality written in: ask with it to search from this town.
    #[schema(example = "蓮田市東1-2")]
    pub address: String,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// A parameter has a value outside what it accepts.
    #[error("parameter `{parameter}`: {detail}")]
    InvalidParameter {
        /// The parameter.
        parameter: String,
        /// What is wrong.
        detail: String,
        /// What it accepts.
        accepted: String,
    },
    /// A required parameter is missing.
    #[error("parameter `{parameter}` is required")]
    MissingParameter {
        /// The parameter.
        parameter: String,
        /// What it accepts.
        accepted: String,
    },
    /// A parameter this endpoint does not know.
    #[error("unknown parameter `{parameter}`")]
    UnknownParameter {
        /// The parameter.
        parameter: String,
        /// The parameters the endpoint knows.
        accepted: String,
    },
    /// Parameters that cannot be combined.
    #[error("{detail}")]
    Conflict {
        /// The parameter that conflicts.
        parameter: String,
        /// What is wrong.
        detail: String,
    },
    /// A kind with no source in the study area: any figure would show unknown as zero.
    #[error("{detail}")]
    NoSource {
        /// The parameter or body field naming the kind.
        parameter: String,
        /// Which kind and why no figure is given.
        detail: String,
        /// The kinds that can be asked.
        accepted: String,
    },
    /// An address naming a town that several municipalities have, without its municipality.
    #[error("{detail}")]
    AmbiguousAddress {
        /// The question to ask the person who typed it.
        detail: String,
        /// What `address` accepts.
        accepted: String,
        /// Each place it may stand for.
        candidates: Vec<AddressChoice>,
    },
    /// A path names something that does not exist.
    #[error("{detail}")]
    NotFound {
        /// The path segment.
        parameter: String,
        /// What is missing.
        detail: String,
    },
    /// A method the resource does not answer.
    #[error("{method} is not allowed here; allowed: {allowed}")]
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The methods the resource answers.
        allowed: String,
    },
    /// A body that is not the JSON the endpoint reads.
    #[error("{detail}")]
    InvalidBody {
        /// What is wrong.
        detail: String,
    },
    /// A body larger than the endpoint reads.
    #[error("the body is larger than {limit_bytes} bytes")]
    BodyTooLarge {
        /// The limit.
        limit_bytes: usize,
    },
    /// A query string longer than the server reads.
    #[error("the query string is longer than {limit_bytes} bytes")]
    QueryTooLong {
        /// The limit.
        limit_bytes: usize,
    },
    /// Every place for a computation is taken: the request is shed rather than queued.
    #[error("the server is busy; retry in {retry_after_s} s")]
    Busy {
        /// Seconds to wait, also sent as `Retry-After`.
        retry_after_s: u32,
    },
    /// The computation took longer than a request may.
    #[error("the answer took longer than {limit_s} s; retry later or ask for less")]
    TimedOut {
        /// The limit.
        limit_s: u64,
        /// Seconds to wait, also sent as `Retry-After`.
        retry_after_s: u32,
    },
    /// Something failed on our side.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// An invalid-parameter error.
    pub fn invalid(
        parameter: &str,
        detail: impl Into<String>,
        accepted: impl Into<String>,
    ) -> Self {
        ApiError::InvalidParameter {
            parameter: parameter.to_owned(),
            detail: detail.into(),
            accepted: accepted.into(),
        }
    }

    /// A missing-parameter error.
    pub fn missing(parameter: &str, accepted: impl Into<String>) -> Self {
        ApiError::MissingParameter { parameter: parameter.to_owned(), accepted: accepted.into() }
    }

    /// The problem document.
    #[must_use]
    pub fn problem(&self) -> Problem {
        let (kind, title, parameter, accepted) = match self {
            ApiError::InvalidParameter { parameter, accepted, .. } => (
                "invalid-parameter",
                "Invalid parameter",
                Some(parameter.clone()),
                Some(accepted.clone()),
            ),
            ApiError::MissingParameter { parameter, accepted } => (
                "missing-parameter",
                "Missing parameter",
                Some(parameter.clone()),
                Some(accepted.clone()),
            ),
            ApiError::UnknownParameter { parameter, accepted } => (
                "unknown-parameter",
                "Unknown parameter",
                Some(parameter.clone()),
                Some(accepted.clone()),
            ),
            ApiError::Conflict { parameter, .. } => {
                ("conflicting-parameters", "Conflicting parameters", Some(parameter.clone()), None)
            }
            ApiError::NoSource { parameter, accepted, .. } => (
                "no-source",
                "No data for this kind",
                Some(parameter.clone()),
                Some(accepted.clone()),
            ),
            ApiError::AmbiguousAddress { accepted, .. } => (
                "ambiguous-address",
                "Ambiguous address",
                Some("address".to_owned()),
                Some(accepted.clone()),
            ),
            ApiError::NotFound { parameter, .. } => {
                ("not-found", "Not found", Some(parameter.clone()), None)
            }
            ApiError::MethodNotAllowed { allowed, .. } => (
                "method-not-allowed",
                "Method not allowed",
                Some("method".to_owned()),
                Some(allowed.clone()),
            ),
            ApiError::InvalidBody { .. } => {
                ("invalid-body", "Invalid body", Some("body".to_owned()), None)
            }
            ApiError::BodyTooLarge { .. } => {
                ("body-too-large", "Body too large", Some("body".to_owned()), None)
            }
            ApiError::QueryTooLong { .. } => {
                ("query-too-long", "Query too long", Some("query".to_owned()), None)
            }
            ApiError::Busy { .. } => ("busy", "Server busy", None, None),
            ApiError::TimedOut { .. } => ("timed-out", "Took too long", None, None),
            ApiError::Internal => ("internal", "Internal error", None, None),
        };
        Problem {
            problem_type: format!("urn:care-atlas:problem:{kind}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            parameter,
            accepted,
            candidates: match self {
                ApiError::AmbiguousAddress { candidates, .. } => Some(candidates.clone()),
                _ => None,
            },
        }
    }
}

/// A nearest-services query core refused, reported against the parameter at fault.
impl From<care_atlas_core::NearestQueryError> for ApiError {
    fn from(error: care_atlas_core::NearestQueryError) -> Self {
        use crate::accepts::{self, Accepts};
        match error {
            care_atlas_core::NearestQueryError::K(_) => {
                ApiError::invalid("k", error.to_string(), accepts::nearest_count().accepted())
            }
            care_atlas_core::NearestQueryError::MaxDistance(_) => ApiError::invalid(
                "max_distance_m",
                error.to_string(),
                accepts::nearest_distance().accepted(),
            ),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. }
            | ApiError::MissingParameter { .. }
            | ApiError::UnknownParameter { .. }
            | ApiError::Conflict { .. }
            | ApiError::NoSource { .. }
            | ApiError::AmbiguousAddress { .. }
            | ApiError::InvalidBody { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::QueryTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::Busy { .. } | ApiError::TimedOut { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let retry_after_s = match self {
            ApiError::Busy { retry_after_s } | ApiError::TimedOut { retry_after_s, .. } => {
                Some(*retry_after_s)
            }
            _ => None,
        };
        if retry_after_s.is_some() {
            // Shedding load is the server working as designed; each shed request is not news.
            tracing::info!(error = %self, "request shed");
        } else if self.status_code().is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        // A 4xx is logged once, briefly, by the request log (`guard::RequestLog`): its message
        // can quote a value as long as the query string.
        let mut response = HttpResponse::build(self.status_code());
        if let Some(seconds) = retry_after_s {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        response.content_type("application/problem+json").json(self.problem())
    }
}
