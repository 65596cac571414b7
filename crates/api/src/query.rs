//! The query-string extractor of every handler. serde reads the parameters into the handler's
//! struct; when it refuses them, the raw query's names are checked against the names the struct
//! documents, so that the problem names the unknown or repeated parameter without reading
//! serde's message.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use crate::ApiError;

/// A handler's query parameters, read into `T` (whose `IntoParams` names every parameter).
#[derive(Debug)]
pub struct Params<T>(T);

impl<T> Params<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Params<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + IntoParams> FromRequest for Params<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(read::<T>(req.query_string()).map(Params).map_err(Into::into))
    }
}

/// The parameters of `query`, or a problem naming the parameter at fault.
fn read<T: DeserializeOwned + IntoParams>(query: &str) -> Result<T, ApiError> {
    let refused = match web::Query::<T>::from_query(query) {
        Ok(params) => return Ok(params.into_inner()),
        Err(refused) => refused,
    };
    let known: Vec<String> = T::into_params(|| Some(ParameterIn::Query))
        .into_iter()
        .filter(|p| p.parameter_in == ParameterIn::Query)
        .map(|p| p.name)
        .collect();
    let given: Vec<String> = web::Query::<Vec<(String, String)>>::from_query(query)
        .map(|pairs| pairs.into_inner().into_iter().map(|(name, _)| name).collect())
        .unwrap_or_default();
    if let Some(unknown) = given.iter().find(|name| !known.contains(name)) {
        let accepted = match known.as_slice() {
            [only] => only.clone(),
            _ => format!("one of {}", known.join(", ")),
        };
        return Err(ApiError::UnknownParameter { parameter: unknown.clone(), accepted });
    }
    if let Some(repeated) = given.iter().find(|name| given.iter().filter(|n| n == name).count() > 1)
    {
        return Err(ApiError::invalid(repeated, "given more than once", "at most once"));
    }
    let message = refused.to_string();
    Err(ApiError::invalid("query", message, "each parameter at most once, URL-encoded"))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, IntoParams)]
    #[serde(deny_unknown_fields)]
    #[into_params(parameter_in = Query)]
    struct Example {
        /// A kind.
        kind: Option<String>,
        /// A radius.
        radius_m: Option<String>,
    }

    fn check(query: &str, expected: &Result<(Option<&str>, Option<&str>), ApiError>) {
        let read = read::<Example>(query);
        let read = read.as_ref().map(|e| (e.kind.as_deref(), e.radius_m.as_deref()));
        assert_eq!(read.map_err(Clone::clone), *expected, "{query}");
    }

    #[test]
    fn known_parameters_are_read() {
        check("kind=hospital&radius_m=2000", &Ok((Some("hospital"), Some("2000"))));
        check("", &Ok((None, None)));
    }

    #[test]
    fn an_unknown_parameter_is_named_with_the_known_ones() {
        check(
            "kind=hospital&radius=3",
            &Err(ApiError::UnknownParameter {
                parameter: "radius".into(),
                accepted: "one of kind, radius_m".into(),
            }),
        );
    }

    #[test]
    fn a_repeated_parameter_is_named() {
        check(
            "kind=hospital&radius_m=1&kind=clinic",
            &Err(ApiError::invalid("kind", "given more than once", "at most once")),
        );
    }
}
