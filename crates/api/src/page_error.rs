//! A refused option of an HTML page (`/embed`, `/planner`, `/planner/report`) as a small HTML page,
//! for the browser that asked for HTML: a municipal web page framing `/embed?area=99999` would
//! otherwise show the problem document as raw JSON inside its frame.
//!
//! The pages' handlers are unchanged: each page's route wraps them in [`map_page`] or
//! [`planner_page`], which look at the answer. A client error that is an [`ApiError`] (from the
//! handler or from its query extractor) is rewritten as HTML when the request's `Accept` prefers
//! `text/html` over JSON, with the same status, naming the parameter, what is wrong and what it
//! accepts, all taken from the error's own problem document: nothing is validated twice. Any other
//! request (curl, `fetch` asking for JSON, the tests) gets the problem document as before.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::params::Lang;
use crate::widget::html_text;
use crate::{ApiError, ServeOptions};

/// Which page refused the request: what the heading calls it and whether it is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// `/embed`: shown inside a municipal web page's frame, so its error must be framable where
    /// the map is (the same `frame-ancestors`).
    Map,
    /// `/planner` and `/planner/report`: pages of their own, which set no framing policy.
    Planner,
}

impl Page {
    /// The bilingual heading: the page can be in either language, the heading is read by both.
    fn heading(self) -> (&'static str, &'static str) {
        match self {
            Page::Map => ("地図を表示できません", "The map cannot be shown"),
            Page::Planner => ("ページを表示できません", "The page cannot be shown"),
        }
    }
}

/// The error page of `/embed` (framable as the map is).
pub(crate) async fn map_page(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    as_html_when_preferred(req, next, Page::Map).await
}

/// The error page of `/planner` and `/planner/report`.
pub(crate) async fn planner_page(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    as_html_when_preferred(req, next, Page::Planner).await
}

async fn as_html_when_preferred<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    page: Page,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let wants_html =
        prefers_html(req.headers().get(header::ACCEPT).and_then(|value| value.to_str().ok()));
    let lang = page_lang(req.query_string());
    let frame_ancestors = match page {
        Page::Map => req.app_data::<web::Data<ServeOptions>>().map(|o| o.frame_ancestors.clone()),
        Page::Planner => None,
    };
    let response = next.call(req).await?;
    let status = response.status();
    let error_page = (wants_html && status.is_client_error())
        .then(|| response.response().error().and_then(|e| e.as_error::<ApiError>()))
        .flatten()
        .map(|error| html_page(error, page, lang));
    let Some(body) = error_page else { return Ok(response.map_into_left_body()) };
    let mut html = HttpResponse::build(status);
    html.content_type("text/html; charset=utf-8");
    if let Some(ancestors) = frame_ancestors {
        html.insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("frame-ancestors {ancestors}"),
        ));
    }
    let (request, _) = response.into_parts();
    Ok(ServiceResponse::new(request, html.body(body)).map_into_right_body())
}

/// The page's language: `lang` when it is one offered, else Japanese (as the page itself chooses,
/// the browser's language aside); a refused `lang` cannot choose it.
fn page_lang(query: &str) -> Lang {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .ok()
        .and_then(|pairs| pairs.into_inner().into_iter().find(|(name, _)| name == "lang"))
        .and_then(|(_, value)| Lang::choose(Some(&value), None).ok())
        .unwrap_or_default()
}

/// Whether `accept` ranks `text/html` above every JSON type (`application/problem+json`,
/// `application/json`), each type weighed by the most specific media range that matches it
/// (RFC 9110 §12.5.1). A browser navigating a frame sends `text/html,…,*/*;q=0.8`: HTML. No header,
/// `*/*` or `application/json`: a tie or JSON, and the problem document stays.
fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else { return false };
    let ranges: Vec<(&str, &str, f64)> = accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let (kind, subtype) = pieces.next()?.trim().split_once('/')?;
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f64>().ok())
                .unwrap_or(1.0);
            Some((kind.trim(), subtype.trim(), q))
        })
        .collect();
    // The weight of a media type: exact range first, then `type/*`, then `*/*`; absent is 0.
    let weight = |kind: &str, subtype: &str| {
        let matching = |k: &str, s: &str| {
            ranges
                .iter()
                .filter(|(rk, rs, _)| rk.eq_ignore_ascii_case(k) && rs.eq_ignore_ascii_case(s))
                .map(|(_, _, q)| *q)
                .reduce(f64::max)
        };
        matching(kind, subtype).or_else(|| matching(kind, "*")).or_else(|| matching("*", "*"))
    };
    let html = weight("text", "html").unwrap_or(0.0);
    let json = ["problem+json", "json"]
        .into_iter()
        .filter_map(|subtype| weight("application", subtype))
        .fold(0.0, f64::max);
    html > 0.0 && html > json
}

/// The error page: the bilingual heading, then in the page's language which option was refused,
/// why, and what it accepts, every value from the problem document escaped. Text is #1a1a1a on
/// white (contrast about 17:1) at 14 px and above.
fn html_page(error: &ApiError, page: Page, lang: Lang) -> String {
    let problem = error.problem();
    let (heading_ja, heading_en) = page.heading();
    let code = |text: &str| format!("<code>{}</code>", html_text(text));
    let parameter = problem.parameter.as_deref().map(code);
    let accepted = problem.accepted.as_deref().map(html_text);
    let detail = html_text(&problem.detail);
    let (option_line, accepted_line, hint) = match lang {
        Lang::Ja => (
            parameter.map(|p| format!("指定 {p} を使えません。")),
            accepted.map(|a| format!("使える値: {a}")),
            "埋め込みコードまたはリンクのURLの指定を確かめてください。",
        ),
        Lang::En => (
            parameter.map(|p| format!("The option {p} cannot be used.")),
            accepted.map(|a| format!("Accepted: {a}")),
            "Check the options in the URL of the embed code or link.",
        ),
    };
    let mut paragraphs = Vec::new();
    paragraphs.extend(option_line);
    paragraphs.push(detail);
    paragraphs.extend(accepted_line);
    paragraphs.push(hint.to_owned());
    let body = paragraphs.iter().fold(String::new(), |mut body, p| {
        body.push_str("<p>");
        body.push_str(p);
        body.push_str("</p>\n");
        body
    });
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading_ja} / {heading_en}</title>
<style>
body {{ margin: 0; padding: 16px; background: #ffffff; color: #1a1a1a;
  font: 16px/1.6 system-ui, "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; }}
h1 {{ margin: 0 0 12px; font-size: 20px; line-height: 1.4; }}
h1 span {{ display: block; font-size: 16px; font-weight: normal; }}
p {{ margin: 0 0 8px; overflow-wrap: anywhere; }}
code {{ font-size: 14px; background: #f0f0f0; color: #1a1a1a; padding: 0 4px; }}
</style>
</head>
<body>
<main>
<h1>{heading_ja}<span lang="en">{heading_en}</span></h1>
{body}</main>
</body>
</html>
"#,
        lang = lang.id(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(accept: Option<&str>, expected: bool) {
        assert_eq!(prefers_html(accept), expected, "{accept:?}");
    }

    #[test]
    fn html_is_preferred_only_when_ranked_above_json() {
        let browser_frame =
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
        check(Some(browser_frame), true);
        check(Some("text/html"), true);
        check(Some("text/*, application/json;q=0.5"), true);
        check(None, false);
        check(Some("*/*"), false);
        check(Some("application/json"), false);
        check(Some("application/problem+json, text/html"), false);
        check(Some("text/html;q=0.5, application/json"), false);
        check(Some("text/html;q=0, */*"), false);
        check(Some("not a media type"), false);
    }

    #[test]
    fn the_page_language_is_a_valid_lang_else_japanese() {
        assert_eq!(page_lang("lang=en&area=99999"), Lang::En);
        assert_eq!(page_lang("lang=fr"), Lang::Ja);
        assert_eq!(page_lang("area=99999"), Lang::Ja);
        assert_eq!(page_lang("%zz"), Lang::Ja);
    }

    #[test]
    fn the_page_names_the_option_and_escapes_what_came_from_the_request() {
        let error = ApiError::invalid("kind", "unknown kind `<script>`", "one of a, b");
        let page = html_page(&error, Page::Map, Lang::En);
        assert!(page.contains(r#"<html lang="en">"#));
        assert!(page.contains("<title>地図を表示できません / The map cannot be shown</title>"));
        assert!(page.contains("The option <code>kind</code> cannot be used."));
        assert!(page.contains("unknown kind `&lt;script&gt;`"));
        assert!(page.contains("Accepted: one of a, b"));
        assert!(!page.contains("<script>"));
        let japanese = html_page(&error, Page::Planner, Lang::Ja);
        assert!(japanese.contains(r#"<html lang="ja">"#));
        assert!(japanese.contains("指定 <code>kind</code> を使えません。"));
        assert!(japanese.contains("ページを表示できません"));
    }
}
