//! The care-atlas HTTP API (actix-web): parses requests, calls `care-atlas-core`, serialises
//! GeoJSON and RFC 9457 problem documents, and owns the OpenAPI document.
//!
//! It is a skeleton until the API issue lands: the crate exists so that the workspace layout and
//! its dependency direction (api → core, never core → api) are fixed from the start.
